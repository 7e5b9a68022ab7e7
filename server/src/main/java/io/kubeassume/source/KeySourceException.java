package io.kubeassume.source;

/** The source could not be read (a missing file, an unreachable API server). */
public class KeySourceException extends Exception {
  private static final long serialVersionUID = 1L;

  public KeySourceException(String message) {
    super(message);
  }

  public KeySourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
