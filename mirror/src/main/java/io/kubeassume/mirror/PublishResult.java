package io.kubeassume.mirror;

import java.util.List;
import java.util.Objects;

/**
 * The result of publishing one snapshot to one target.
 *
 * @param lostRaces how many writes were refused because of a concurrent writer (and were retried) in this publish
 * @param leftOut the served kids the target cannot hold and so does not have (GCP's uploaded JWKS takes 8 keys);
 *     empty for the buckets
 */
public record PublishResult(String target, long revision, ObjectOutcome jwks, ObjectOutcome discovery, int lostRaces,
    List<String> leftOut) {
  public PublishResult {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(jwks, "jwks");
    Objects.requireNonNull(discovery, "discovery");
    leftOut = List.copyOf(leftOut);
  }

  /** A result that left nothing out (every bucket's). */
  public PublishResult(String target, long revision, ObjectOutcome jwks, ObjectOutcome discovery, int lostRaces) {
    this(target, revision, jwks, discovery, lostRaces, List.of());
  }

  /** At least one object was written. */
  public boolean wroteAnything() {
    return jwks == ObjectOutcome.WRITTEN || discovery == ObjectOutcome.WRITTEN;
  }

  /** The store holds a newer revision than this publish (for at least one object). */
  public boolean superseded() {
    return jwks == ObjectOutcome.SUPERSEDED || discovery == ObjectOutcome.SUPERSEDED;
  }

  /** A write was due, and left to the replica that writes to this target. */
  public boolean deferred() {
    return jwks == ObjectOutcome.DEFERRED || discovery == ObjectOutcome.DEFERRED;
  }

  /** The store already held exactly these documents. */
  public boolean unchanged() {
    return jwks == ObjectOutcome.UNCHANGED
        && (discovery == ObjectOutcome.UNCHANGED || discovery == ObjectOutcome.NONE);
  }
}
