package io.kubeassume.source.kubernetes;

import io.kubeassume.source.KeySourceException;

/** The API server's issuer differs from --issuer-url: nothing may be published (counted apart from other errors). */
public final class IssuerMismatchException extends KeySourceException {
  private static final long serialVersionUID = 1L;

  public IssuerMismatchException(String message) {
    super(message);
  }
}
