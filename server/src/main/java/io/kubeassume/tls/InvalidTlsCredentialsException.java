package io.kubeassume.tls;

/** The TLS certificate or key files cannot be served; the message names the file and the problem. */
public final class InvalidTlsCredentialsException extends Exception {
  public InvalidTlsCredentialsException(String message) {
    super(message);
  }

  public InvalidTlsCredentialsException(String message, Throwable cause) {
    super(message, cause);
  }
}
