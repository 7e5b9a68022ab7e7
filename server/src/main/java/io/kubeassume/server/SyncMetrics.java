package io.kubeassume.server;

import io.kubeassume.document.Snapshot;
import io.kubeassume.merge.RotationEvent;
import io.kubeassume.store.ConfigMapStateView;
import io.kubeassume.store.ConfigMapSyncStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.concurrent.TimeUnit;

/**
 * The kubeassume_* metrics. Prometheus names: kubeassume_sync_total{status,source},
 * kubeassume_sync_duration_seconds, kubeassume_rotation_total{type}, kubeassume_active_keys,
 * kubeassume_last_sync_timestamp_seconds, kubeassume_document_revision, kubeassume_source_up,
 * kubeassume_issuer_mismatch_total.
 */
final class SyncMetrics implements SyncObserver {
  private final Counter successes;
  private final Counter errors;
  private final Timer duration;
  private final Counter issuerMismatches;
  private final Map<RotationEvent.Type, Counter> rotations = new EnumMap<>(RotationEvent.Type.class);
  private final SyncHealth health;
  private volatile ConfigMapStateView leaderReports;
  private volatile BooleanSupplier leading = () -> true;

  SyncMetrics(MeterRegistry registry, String source, CurrentDocuments current, SyncHealth health) {
    successes = Counter.builder("kubeassume.sync").description("Key syncs by outcome")
        .tag("status", "success").tag("source", source).register(registry);
    errors = Counter.builder("kubeassume.sync").description("Key syncs by outcome")
        .tag("status", "error").tag("source", source).register(registry);
    duration = Timer.builder("kubeassume.sync.duration").description("Time to read, validate, merge and store the keys")
        .tag("source", source).register(registry);
    issuerMismatches = Counter.builder("kubeassume.issuer.mismatch")
        .description("Syncs refused because the API server's issuer differs from --issuer-url").register(registry);
    for (RotationEvent.Type type : RotationEvent.Type.values()) {
      rotations.put(type, Counter.builder("kubeassume.rotation").description("Changes to the served key set")
          .tag("type", type.label()).register(registry));
    }
    Gauge.builder("kubeassume.active.keys", current, c -> c.snapshot().map(Snapshot::keyCount).orElse(0))
        .description("Keys in the served JWKS").strongReference(true).register(registry);
    Gauge.builder("kubeassume.document.revision", current, c -> c.snapshot().map(Snapshot::revision).orElse(0L))
        .description("Revision of the served documents").strongReference(true).register(registry);
    Gauge.builder("kubeassume.last.sync.timestamp", health, h -> epochSeconds(h.report().lastSuccess()))
        .description("Unix time of the last successful key sync").baseUnit("seconds").strongReference(true).register(registry);
    this.health = health;
    Gauge.builder("kubeassume.source.up", this, SyncMetrics::sourceUp)
        .description("1 if the latest key sync succeeded; on a follower, the leader's latest sync as its ConfigMap reports it")
        .tag("source", source).strongReference(true).register(registry);
  }

  /** With the ConfigMap store: a follower reports the leader's view, as /readyz does. */
  void followLeader(ConfigMapStateView view, BooleanSupplier leading) {
    this.leaderReports = view;
    this.leading = leading;
  }

  private double sourceUp() {
    SyncHealth.Report own = health.report();
    ConfigMapStateView store = leaderReports;
    if (store != null) {
      Optional<ConfigMapSyncStatus> reported = store.reportedStatus();
      if (SourceView.showsLeader(!leading.getAsBoolean(), own, reported.isPresent(),
          reported.map(ConfigMapSyncStatus::since).orElse(null), reported.map(ConfigMapSyncStatus::lastSuccess).orElse(null))) {
        return reported.get().healthy() ? 1 : 0;
      }
    }
    return own.failing() == null && own.lastSuccess() != null ? 1 : 0;
  }

  @Override
  public void synced(boolean ok, long nanos) {
    (ok ? successes : errors).increment();
    duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void failed(Throwable cause) {
    if (cause instanceof io.kubeassume.source.kubernetes.IssuerMismatchException) {
      issuerMismatches.increment();
    }
  }

  @Override
  public void rotated(RotationEvent event) {
    rotations.get(event.type()).increment();
  }

  private static double epochSeconds(Instant at) {
    return at == null ? 0 : at.toEpochMilli() / 1000.0;
  }
}
