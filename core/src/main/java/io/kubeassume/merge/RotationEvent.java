package io.kubeassume.merge;

/** A change in the served key set, for logs and {@code kubeassume_rotation_total{type}}. */
public record RotationEvent(Type type, String kid) {
  public enum Type {
    /** A key appeared in the source for the first time. */
    NEW_KEY("new_key"),
    /** A key left the source; it is still served for the overlap window. */
    KEY_RETIRED("key_retired"),
    /** A retired key appeared in the source again and is current again. */
    KEY_RETURNED("key_returned"),
    /** A retired key's overlap window ended; it is no longer served. */
    KEY_EXPIRED("key_expired"),
    /** A retired key was dropped early to stay within --max-keys. */
    KEY_EVICTED("key_evicted");

    private final String label;

    Type(String label) {
      this.label = label;
    }

    /** The metric label value. */
    public String label() {
      return label;
    }
  }
}
