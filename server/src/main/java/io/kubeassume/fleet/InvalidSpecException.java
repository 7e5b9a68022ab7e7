package io.kubeassume.fleet;

/** An issuer declaration that cannot be served as written; the message names the field and the fix. */
public final class InvalidSpecException extends Exception {
  public InvalidSpecException(String message) {
    super(message);
  }
}
