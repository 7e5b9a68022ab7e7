package io.kubeassume.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** kubeassume_configmap_writes_total{result="written|conflict|error"} and kubeassume_configmap_rejected_total. */
public final class ConfigMapMetrics {
  final Counter written;
  final Counter conflict;
  final Counter error;
  final Counter rejected;

  public ConfigMapMetrics(MeterRegistry registry) {
    written = write(registry, "written");
    conflict = write(registry, "conflict");
    error = write(registry, "error");
    rejected = Counter.builder("kubeassume.configmap.rejected")
        .description("ConfigMap contents seen that failed validation and were not served").register(registry);
  }

  private static Counter write(MeterRegistry registry, String result) {
    return Counter.builder("kubeassume.configmap.writes").description("ConfigMap writes by the leader, by result")
        .tag("result", result).register(registry);
  }
}
