package io.kubeassume.mirror;

/** What publishing did to one object. */
public enum ObjectOutcome {
  /** Our bytes were written (created or replaced). */
  WRITTEN,
  /** The store already held exactly our bytes; nothing was written. */
  UNCHANGED,
  /** The store held a newer revision; nothing was written. */
  SUPERSEDED,
  /** Not attempted, because an earlier object of the same publish was superseded. */
  SKIPPED
}
