package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The metric-name extraction MonitoringMetricsTest relies on: a name it missed would go unchecked. */
class PromQlTest {
  @Test
  void findsTheMetricsOfAnAlertExpression() {
    assertEquals(Set.of("kubeassume_source_up", "kubeassume_leader"), PromQl.metricNames("""
        max by (namespace, job) (
          kubeassume_source_up{job="kubeassume-management",namespace="kubeassume"} unless on (instance) (kubeassume_leader{job="x"} == 0)
        ) == 0"""));
    assertEquals(Set.of("kubeassume_published_revision", "kubeassume_document_revision"), PromQl.metricNames(
        "max by (namespace, job, target) (kubeassume_published_revision{a=\"b\"}) < on (namespace, job) group_left "
            + "max by (namespace, job) (kubeassume_document_revision)"));
  }

  @Test
  void stringsRangesNumbersFunctionsAndGrafanaVariablesAreNoMetrics() {
    assertEquals(Set.of("x_total", "y"), PromQl.metricNames(
        "sum without (pod) (rate(x_total{a=~\"b{c}|d\", e!='f)'}[5m] offset 1h)) > 1e+06 and ignoring(instance) y > bool 0.5"));
    assertEquals(Set.of("z_seconds"), PromQl.metricNames(
        "time() - max(z_seconds{namespace=~\"$namespace\"} > 0) < 1209600 >= 259200"));
    assertEquals(Set.of("up", "w_bucket"), PromQl.metricNames(
        "absent(up{job=\"x\"}) or histogram_quantile(0.99, sum by (le) (rate(w_bucket[$__rate_interval])))"));
    assertEquals(Set.of("a", "b"), PromQl.metricNames("a\nor\nb"));
  }

  @Test
  void readsTheSampleNamesOfAnExposition() {
    assertEquals(Set.of("kubeassume_active_keys", "kubeassume_sync_duration_seconds_count", "jvm_info"), PromQl.exposedNames("""
        # HELP kubeassume_active_keys Keys in the served JWKS
        # TYPE kubeassume_active_keys gauge
        kubeassume_active_keys 2.0
        kubeassume_sync_duration_seconds_count{source="files"} 3
        jvm_info{runtime="x",vendor="y"} 1
        """));
  }
}
