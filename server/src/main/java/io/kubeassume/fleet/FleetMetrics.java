package io.kubeassume.fleet;

import io.kubeassume.document.Snapshot;
import io.kubeassume.merge.RotationEvent;
import io.kubeassume.server.SyncHealth;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The per-issuer series of a fleet, built at scrape time from the issuers' plain counters, so an
 * issuer costs no meter objects and a removed issuer's series are simply gone from the next scrape:
 * kubeassume_sync_total{issuer,status}, kubeassume_rotation_total{issuer,type},
 * kubeassume_issuer_mismatch_total{issuer}, kubeassume_active_keys{issuer},
 * kubeassume_document_revision{issuer}, kubeassume_last_sync_timestamp_seconds{issuer},
 * kubeassume_source_up{issuer} (only where this replica syncs), and kubeassume_issuers{state}.
 */
public final class FleetMetrics implements MultiCollector {
  /** What a scrape needs of one issuer. */
  public interface View {
    String id();

    IssuerStats stats();

    /** Null when nothing is served for it. */
    Snapshot served();

    /** Whether this replica runs the issuer's sync loop (standalone, or the leader). */
    boolean syncing();

    /** ready, not_ready, conflict, refused or invalid. */
    String state();
  }

  static final List<String> STATES = List.of("ready", "not_ready", "conflict", "refused", "invalid");

  private final Supplier<Collection<? extends View>> issuers;
  private final Supplier<Collection<String>> problemStates;

  /**
   * @param issuers the issuers served
   * @param problemStates the state (conflict, refused, invalid) of each declared issuer that is not served
   */
  public FleetMetrics(Supplier<Collection<? extends View>> issuers, Supplier<Collection<String>> problemStates) {
    this.issuers = issuers;
    this.problemStates = problemStates;
  }

  @Override
  public MetricSnapshots collect() {
    Collection<? extends View> all = issuers.get();
    CounterSnapshot.Builder syncs = CounterSnapshot.builder().name("kubeassume_sync").help("Key syncs by issuer and outcome");
    CounterSnapshot.Builder mismatches = CounterSnapshot.builder().name("kubeassume_issuer_mismatch")
        .help("Syncs refused because the API server's issuer differs from the issuer's URL");
    CounterSnapshot.Builder rotations = CounterSnapshot.builder().name("kubeassume_rotation").help("Changes to an issuer's served key set");
    GaugeSnapshot.Builder keys = GaugeSnapshot.builder().name("kubeassume_active_keys").help("Keys in the issuer's served JWKS");
    GaugeSnapshot.Builder revision = GaugeSnapshot.builder().name("kubeassume_document_revision")
        .help("Revision of the issuer's served documents");
    GaugeSnapshot.Builder lastSync = GaugeSnapshot.builder().name("kubeassume_last_sync_timestamp_seconds")
        .help("Unix time of the issuer's last successful key sync (where this replica syncs)");
    GaugeSnapshot.Builder up = GaugeSnapshot.builder().name("kubeassume_source_up")
        .help("1 if the issuer's latest key sync succeeded (where this replica syncs)");
    Map<String, Integer> counts = new java.util.LinkedHashMap<>();
    STATES.forEach(s -> counts.put(s, 0));
    for (View v : all) {
      Labels issuer = Labels.of("issuer", v.id());
      IssuerStats s = v.stats();
      syncs.dataPoint(counter(issuer.add("status", "success"), s.successes()));
      syncs.dataPoint(counter(issuer.add("status", "error"), s.errors()));
      mismatches.dataPoint(counter(issuer, s.mismatches()));
      for (RotationEvent.Type type : RotationEvent.Type.values()) {
        rotations.dataPoint(counter(issuer.add("type", type.label()), s.rotations(type)));
      }
      Snapshot served = v.served();
      keys.dataPoint(gauge(issuer, served == null ? 0 : served.keyCount()));
      revision.dataPoint(gauge(issuer, served == null ? 0 : served.revision()));
      if (v.syncing()) {
        SyncHealth.Report report = s.health().report();
        lastSync.dataPoint(gauge(issuer, epochSeconds(report.lastSuccess())));
        up.dataPoint(gauge(issuer, report.failing() == null && report.lastSuccess() != null ? 1 : 0));
      }
      counts.merge(v.state(), 1, Integer::sum);
    }
    for (String state : problemStates.get()) {
      counts.merge(state, 1, Integer::sum);
    }
    GaugeSnapshot.Builder states = GaugeSnapshot.builder().name("kubeassume_issuers")
        .help("Issuers of the fleet by state: ready, not_ready, conflict (another object holds the URL), refused "
            + "(outside --issuer-url-prefix), invalid (a spec that cannot be served)");
    counts.forEach((state, n) -> states.dataPoint(gauge(Labels.of("state", state), n)));
    return MetricSnapshots.of(syncs.build(), mismatches.build(), rotations.build(), keys.build(), revision.build(),
        lastSync.build(), up.build(), states.build());
  }

  private static CounterSnapshot.CounterDataPointSnapshot counter(Labels labels, long value) {
    return CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  private static GaugeSnapshot.GaugeDataPointSnapshot gauge(Labels labels, double value) {
    return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  private static double epochSeconds(Instant at) {
    return at == null ? 0 : at.toEpochMilli() / 1000.0;
  }

}
