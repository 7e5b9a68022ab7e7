package io.kubeassume.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * kubeassume_configmap_writes_total{result="written|conflict|error"}, kubeassume_configmap_rejected_total
 * and kubeassume_leader_sync_up (the leader's sync outcome as its status annotation reports it, on every replica).
 */
public final class ConfigMapMetrics {
  private final MeterRegistry registry;
  final Counter written;
  final Counter conflict;
  final Counter error;
  final Counter rejected;

  public ConfigMapMetrics(MeterRegistry registry) {
    this.registry = registry;
    written = write(registry, "written");
    conflict = write(registry, "conflict");
    error = write(registry, "error");
    rejected = Counter.builder("kubeassume.configmap.rejected")
        .description("ConfigMap contents seen that failed validation and were not served").register(registry);
  }

  /** 1 if the leader reported a healthy sync, 0 if a failing one, NaN before any report was seen. */
  void reportedStatus(ConfigMapStateView store) {
    Gauge.builder("kubeassume.leader.sync.up", store,
            s -> s.reportedStatus().map(r -> r.healthy() ? 1.0 : 0.0).orElse(Double.NaN))
        .description("The leader's latest key sync as reported in the ConfigMap's status annotation: 1 succeeded, 0 failed")
        .strongReference(true).register(registry);
  }

  private static Counter write(MeterRegistry registry, String result) {
    return Counter.builder("kubeassume.configmap.writes").description("ConfigMap writes by the leader, by result")
        .tag("result", result).register(registry);
  }
}
