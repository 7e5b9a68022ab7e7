package io.kubeassume.server;

import io.kubeassume.merge.RotationEvent;

/** What a sync loop reports for metrics: the single issuer's Micrometer meters, or a fleet issuer's counters. */
public interface SyncObserver {
  void synced(boolean ok, long nanos);

  void failed(Throwable cause);

  void rotated(RotationEvent event);
}
