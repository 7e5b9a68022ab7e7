package io.kubeassume.mirror;

import java.util.Objects;

/**
 * The result of publishing one snapshot to one target.
 *
 * @param lostRaces how many conditional writes the store refused (and were retried) in this publish
 */
public record PublishResult(String target, long revision, ObjectOutcome jwks, ObjectOutcome discovery, int lostRaces) {
  public PublishResult {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(jwks, "jwks");
    Objects.requireNonNull(discovery, "discovery");
  }

  /** At least one object was written. */
  public boolean wroteAnything() {
    return jwks == ObjectOutcome.WRITTEN || discovery == ObjectOutcome.WRITTEN;
  }

  /** The store holds a newer revision than this publish (for at least one object). */
  public boolean superseded() {
    return jwks == ObjectOutcome.SUPERSEDED || discovery == ObjectOutcome.SUPERSEDED;
  }

  /** The store already held exactly these documents. */
  public boolean unchanged() {
    return jwks == ObjectOutcome.UNCHANGED && discovery == ObjectOutcome.UNCHANGED;
  }
}
