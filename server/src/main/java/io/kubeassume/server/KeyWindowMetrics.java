package io.kubeassume.server;

import io.kubeassume.document.Snapshot;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;

/**
 * How long retired keys stay published, and when the next one leaves, on every replica (from the
 * documents it serves): kubeassume_overlap_seconds and kubeassume_next_key_removal_timestamp_seconds
 * (NaN while no served key is retired). An alert compares them with the lifetime of the tokens
 * the clouds accept: a key that leaves before its tokens expire breaks those tokens.
 */
final class KeyWindowMetrics {
  private KeyWindowMetrics() {
  }

  static void register(MeterRegistry registry, Duration overlap, CurrentDocuments current) {
    Gauge.builder("kubeassume.overlap", overlap, o -> o.toMillis() / 1000.0)
        .description("How long a key that left the source stays published (--overlap)")
        .baseUnit("seconds").strongReference(true).register(registry);
    Gauge.builder("kubeassume.next.key.removal.timestamp", current, c -> nextRemoval(c, overlap))
        .description("Unix time at which the retired key that left the source first leaves the served JWKS; NaN if none is retired")
        .baseUnit("seconds").strongReference(true).register(registry);
  }

  private static double nextRemoval(CurrentDocuments current, Duration overlap) {
    Instant oldest = current.snapshot().map(Snapshot::oldestRetirement).orElse(null);
    return oldest == null ? Double.NaN : oldest.plus(overlap).toEpochMilli() / 1000.0;
  }
}
