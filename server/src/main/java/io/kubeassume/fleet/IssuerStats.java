package io.kubeassume.fleet;

import io.kubeassume.merge.RotationEvent;
import io.kubeassume.server.SyncHealth;
import io.kubeassume.server.SyncObserver;
import io.kubeassume.source.kubernetes.IssuerMismatchException;

/**
 * One fleet issuer's counters, kept as plain fields (a few dozen bytes) rather than meters: with
 * thousands of issuers, a meter object per issuer and metric would cost more than the issuer
 * itself. {@link FleetMetrics} turns them into series with an {@code issuer} label at scrape time.
 * Written by the issuer's sync loop on one event loop, read by scrapes: single writer, volatile.
 */
public final class IssuerStats implements SyncObserver {
  private final SyncHealth health = new SyncHealth();
  private volatile long successes;
  private volatile long errors;
  private volatile long mismatches;
  /** Whether the latest failure was an issuer mismatch (cleared by a success). */
  private volatile boolean mismatching;
  private final long[] rotations = new long[RotationEvent.Type.values().length];

  public SyncHealth health() {
    return health;
  }

  @Override
  public void synced(boolean ok, long nanos) {
    if (ok) {
      successes++;
      mismatching = false;
    } else {
      errors++;
    }
  }

  @Override
  public void failed(Throwable cause) {
    mismatching = cause instanceof IssuerMismatchException;
    if (mismatching) {
      mismatches++;
    }
  }

  @Override
  public void rotated(RotationEvent event) {
    synchronized (rotations) {
      rotations[event.type().ordinal()]++;
    }
  }

  /** Whether the latest key sync failed on an issuer mismatch. */
  public boolean mismatching() {
    return mismatching;
  }

  long successes() {
    return successes;
  }

  long errors() {
    return errors;
  }

  long mismatches() {
    return mismatches;
  }

  long rotations(RotationEvent.Type type) {
    synchronized (rotations) {
      return rotations[type.ordinal()];
    }
  }
}
