package io.kubeassume.document;

import io.kubeassume.merge.KeyRecord;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An immutable, fully rendered document set: what every replica serves and every mirror copies.
 * The revision comes from the merge state and grows whenever the served keys change.
 *
 * @param keys the served keys in document order, with their history (first seen, retired at), so a
 *     publish target that cannot take every key (GCP's uploaded JWKS holds 8) can tell current keys
 *     from retired ones, and the time the next retired key leaves is known
 */
public record Snapshot(long revision, IssuerUrl issuer, Document discovery, Document jwks, List<KeyRecord> keys) {
  public Snapshot {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(discovery, "discovery");
    Objects.requireNonNull(jwks, "jwks");
    keys = List.copyOf(keys);
  }

  /** The served kids in document order. */
  public List<String> kids() {
    return keys.stream().map(KeyRecord::kid).toList();
  }

  public int keyCount() {
    return keys.size();
  }

  /**
   * When the served key that left the source longest ago left it, or null if every served key is
   * current: that key leaves the documents at this time plus the overlap.
   */
  public Instant oldestRetirement() {
    return keys.stream().filter(KeyRecord::isRetired).map(KeyRecord::retiredAt).min(Instant::compareTo).orElse(null);
  }
}
