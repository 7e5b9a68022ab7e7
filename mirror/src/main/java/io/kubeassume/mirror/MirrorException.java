package io.kubeassume.mirror;

/** A store could not be read or written (network, permissions, bad bucket...). Not a lost race. */
public class MirrorException extends RuntimeException {
  public MirrorException(String message, Throwable cause) {
    super(message, cause);
  }

  public MirrorException(String message) {
    super(message);
  }
}
