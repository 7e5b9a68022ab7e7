package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus/ holds the chart's alerts for people without Helm, rendered with
 * deploy/manifests/values.yaml (release and namespace kubeassume): the PrometheusRule for the
 * Prometheus Operator, and its spec as a plain rule file for Prometheus's rule_files (and promtool).
 * Regenerate both with {@value #REGENERATE}.
 */
class PrometheusRulesInSyncTest {
  static final String REGENERATE =
      "mvn -o -q -pl packaging -am test -Dtest=PrometheusRulesInSyncTest -Dsurefire.failIfNoSpecifiedTests=false"
          + " -Dkubeassume.regenerate=true";

  @Test
  void thePlainFilesEqualTheRenderedChart() throws IOException {
    String values = Files.readString(Repo.file("deploy/manifests/values.yaml"));
    String customResource = PrometheusRules.customResourceOf(Charts.templateExactly(values + "prometheusRule:\n  enabled: true\n"));
    String expectedResource = header("PrometheusRule for the Prometheus Operator: kubectl apply -n kubeassume -f this file.")
        + "---\n" + customResource;
    String expectedRules = header("Prometheus rule file (rule_files:); the spec of kubeassume-prometheusrule.yaml.")
        + PrometheusRules.ruleFile(customResource);

    check(PrometheusRules.CUSTOM_RESOURCE, expectedResource);
    check(PrometheusRules.RULE_FILE, expectedRules);
  }

  private static void check(String relative, String expected) throws IOException {
    Path file = Repo.file(relative);
    if (Boolean.getBoolean("kubeassume.regenerate")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, expected);
    }
    assertTrue(Files.isRegularFile(file), () -> file + " is missing; regenerate it with: " + REGENERATE);
    assertEquals(expected, Files.readString(file),
        () -> file + " differs from the chart's PrometheusRule rendered with deploy/manifests/values.yaml; regenerate it with: "
            + REGENERATE);
  }

  private static String header(String what) {
    return "# " + what + "\n"
        + "# Generated from deploy/helm/kubeassume (prometheusRule) with deploy/manifests/values.yaml: release and\n"
        + "# namespace kubeassume, series selected by job=\"kubeassume-management\",namespace=\"kubeassume\" (what the\n"
        + "# chart's ServiceMonitor scrapes; edit the selectors if your scrape job is named otherwise). Thresholds are\n"
        + "# the chart's defaults. Do not edit; change the chart and regenerate with\n"
        + "#   " + REGENERATE + "\n"
        + "# Runbook: docs/runbook.md.\n";
  }
}
