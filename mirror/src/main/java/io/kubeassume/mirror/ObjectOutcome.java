package io.kubeassume.mirror;

/** What publishing did to one object (for a gcp-wif provider: to its uploaded JWKS). */
public enum ObjectOutcome {
  /** Our bytes were written (created or replaced). */
  WRITTEN,
  /** The store already held exactly our bytes (a provider: the same key set); nothing was written. */
  UNCHANGED,
  /** The store held a newer revision; nothing was written. */
  SUPERSEDED,
  /** Not attempted, because an earlier object of the same publish was superseded. */
  SKIPPED,
  /** The target holds no such object: a gcp-wif provider holds keys, not a discovery document. */
  NONE,
  /**
   * A write was due but this replica does not write to the target now: another replica (the leader) does.
   * Nothing was written.
   */
  DEFERRED
}
