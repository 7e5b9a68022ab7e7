package io.kubeassume.keys;

/**
 * Input that must not reach the public documents: a private key, a weak or unsupported key,
 * a reused kid. The message names where the key came from and what to do about it.
 */
public class InvalidKeyException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String origin;

  public InvalidKeyException(String origin, String reason) {
    super(origin + ": " + reason);
    this.origin = origin;
  }

  /** The file (or other source) the bad key came from. */
  public String origin() {
    return origin;
  }
}
