package io.kubeassume.mirror;

/** The store refused a conditional write: someone else wrote (or deleted) the object since it was read. */
public class PreconditionFailedException extends Exception {
  public PreconditionFailedException(String message) {
    super(message);
  }

  public PreconditionFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
