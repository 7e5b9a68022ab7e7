package io.kubeassume.store;

/** Someone else changed the stored state since it was read (HTTP 409 on the ConfigMap's resourceVersion). */
public final class StateConflictException extends Exception {
  private static final long serialVersionUID = 1L;

  public StateConflictException(String message) {
    super(message);
  }
}
