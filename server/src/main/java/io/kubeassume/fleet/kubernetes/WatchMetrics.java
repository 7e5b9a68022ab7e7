package io.kubeassume.fleet.kubernetes;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code kubeassume_fleet_watch_failures_total{kind}}: lists and watches of the fleet's objects that
 * failed (refused, unreachable, undecodable), by kind (oidcissuers, secrets), read at scrape time. An
 * expired version (410), the routine end of a long watch, is not a failure.
 */
public final class WatchMetrics implements MultiCollector {
  private final Supplier<Map<String, Long>> failures;

  public WatchMetrics(Supplier<Map<String, Long>> failures) {
    this.failures = failures;
  }

  @Override
  public MetricSnapshots collect() {
    CounterSnapshot.Builder counter = CounterSnapshot.builder().name("kubeassume_fleet_watch_failures")
        .help("Failed lists and watches of the fleet's OIDCIssuer objects and Secrets (each retried with backoff)");
    failures.get().forEach((kind, n) -> counter.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
        .labels(Labels.of("kind", kind)).value(n).build()));
    return MetricSnapshots.of(counter.build());
  }
}
