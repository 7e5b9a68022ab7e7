package io.kubeassume.merge;

import io.kubeassume.keys.SigningKey;
import java.time.Instant;
import java.util.Objects;

/**
 * One served key and its history: when it was first seen in the source and, once it has left the
 * source, when it was retired. A retired key is served until {@code retiredAt + overlap}.
 */
public record KeyRecord(SigningKey key, Instant firstSeen, Instant retiredAt) {
  public KeyRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(firstSeen, "firstSeen");
  }

  public String kid() {
    return key.kid();
  }

  public boolean isRetired() {
    return retiredAt != null;
  }

  /** Same key, same history. */
  boolean sameAs(KeyRecord other) {
    return key.sameAs(other.key) && firstSeen.equals(other.firstSeen) && Objects.equals(retiredAt, other.retiredAt);
  }
}
