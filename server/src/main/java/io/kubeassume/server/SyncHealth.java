package io.kubeassume.server;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/** The outcome of recent key syncs, written by the sync loop and read by readiness and metrics. */
public final class SyncHealth {
  /**
   * @param lastSuccess when a sync last succeeded, or null
   * @param failing the error of the latest sync if it failed, else null
   * @param lastError the most recent error ever seen, or null
   * @param lastErrorAt when {@code lastError} happened
   * @param consecutiveFailures failed syncs since the last success
   */
  public record Report(Instant lastSuccess, String failing, String lastError, Instant lastErrorAt, long consecutiveFailures) {
    static final Report NONE = new Report(null, null, null, null, 0);

    /** A sync that just succeeded (for a report written before the loop records it). */
    public static Report succeededAt(Instant at) {
      return new Report(at, null, null, null, 0);
    }
  }

  private final AtomicReference<Report> report = new AtomicReference<>(Report.NONE);

  public Report report() {
    return report.get();
  }

  void succeeded(Instant at) {
    report.updateAndGet(r -> new Report(at, null, r.lastError(), r.lastErrorAt(), 0));
  }

  void failed(String error, Instant at) {
    report.updateAndGet(r -> new Report(r.lastSuccess(), error, error, at, r.consecutiveFailures() + 1));
  }

  /** The sync loop could not even be built (its key source or store failed to set up): reported as a failed sync. */
  public void failedToStart(String error, Instant at) {
    failed(error, at);
  }
}
