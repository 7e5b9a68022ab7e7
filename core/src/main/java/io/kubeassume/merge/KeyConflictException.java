package io.kubeassume.merge;

import io.kubeassume.keys.InvalidKeyException;

/** The source's keys cannot be merged: a kid reused for other material, or too many keys. */
public final class KeyConflictException extends InvalidKeyException {
  private static final long serialVersionUID = 1L;

  public KeyConflictException(String origin, String reason) {
    super(origin, reason);
  }
}
