package io.kubeassume.setup;

/** A setup that could not be completed; the message is one line naming what is missing or refused. */
public final class SetupException extends Exception {
  private static final long serialVersionUID = 1L;

  public SetupException(String message) {
    super(message);
  }

  public SetupException(String message, Throwable cause) {
    super(message, cause);
  }
}
