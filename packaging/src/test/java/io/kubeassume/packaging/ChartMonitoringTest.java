package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The PrometheusRule of the chart: off by default, every alert complete and linked to the runbook, thresholds from values. */
class ChartMonitoringTest {
  static final String ENABLED = """
      prometheusRule:
        enabled: true
      """;

  /** Every prometheusRule value changed from its default. */
  static final String OTHER_THRESHOLDS = """
      fullnameOverride: oidc
      prometheusRule:
        enabled: true
        labels: {release: kube-prometheus-stack}
        alertLabels: {team: platform}
        runbookUrl: https://wiki.example.com/kubeassume
        notServingFor: 3m
        noLeaderFor: 45s
        sourceFailingFor: 20m
        configMapWriteFailingFor: 15m
        revisionSkewFor: 2m
        tokenLifetimeSeconds: 3600
        keyRemovalWarningSeconds: 1800
        mirrorBehindFor: 30m
        mirrorErrorsWindow: 1h
        mirrorErrorsThreshold: 5
        mirrorSeverity: critical
        certificateExpiryWarningDays: 21
        certificateExpiryCriticalDays: 7
        certificateReloadFailingFor: 20m
        floodClosesPerSecond: 2.5
        floodFor: 10m
      """;

  private static final Pattern METRIC_SELECTOR = Pattern.compile("\\b((?:kubeassume|jvm)_[a-z_]+)\\{([^}]*)}");

  static List<PrometheusRules.Alert> alerts(String values) {
    return PrometheusRules.alerts(PrometheusRules.ruleFile(PrometheusRules.customResource(values)));
  }

  static PrometheusRules.Alert alert(List<PrometheusRules.Alert> alerts, String name) {
    return alerts.stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no alert " + name));
  }

  @Test
  void offByDefault() {
    Rendered r = Charts.render("");
    assertTrue(r.objects.stream().noneMatch(o -> o.getKind().equals("PrometheusRule")), "no PrometheusRule unless enabled");
  }

  @Test
  void thePrometheusRuleIsLabelledForTheOperatorsRuleSelector() {
    GenericKubernetesResource rule = Charts.render(OTHER_THRESHOLDS).all(GenericKubernetesResource.class).stream()
        .filter(o -> o.getKind().equals("PrometheusRule")).findFirst().orElseThrow();
    assertEquals("monitoring.coreos.com/v1", rule.getApiVersion());
    assertEquals("oidc", rule.getMetadata().getName());
    assertEquals(Charts.NAMESPACE, rule.getMetadata().getNamespace());
    assertEquals("kube-prometheus-stack", rule.getMetadata().getLabels().get("release"));
    assertEquals("kubeassume", rule.getMetadata().getLabels().get("app.kubernetes.io/name"));
  }

  @Test
  void everySeriesAnAlertReadsIsThisReleasesManagementJob() {
    assertEverySelectorHas(alerts(ENABLED), "job=\"kubeassume-management\",namespace=\"kubeassume\"");
    // Another release name: the ServiceMonitor scrapes <fullname>-management, which becomes the job label.
    assertEverySelectorHas(alerts(OTHER_THRESHOLDS), "job=\"oidc-management\",namespace=\"kubeassume\"");
    assertEverySelectorHas(alerts(ENABLED + "  selector: 'job=\"kubeassume\",cluster=\"prod\"'\n"),
        "job=\"kubeassume\",cluster=\"prod\"");
  }

  private static void assertEverySelectorHas(List<PrometheusRules.Alert> alerts, String selector) {
    int selectors = 0;
    for (PrometheusRules.Alert a : alerts) {
      Matcher m = METRIC_SELECTOR.matcher(a.expr());
      while (m.find()) {
        selectors++;
        String found = m.group(2);
        assertTrue(found.startsWith(selector), () -> a.name() + " reads " + m.group() + " without " + selector);
      }
      assertFalse(Pattern.compile("\\b(kubeassume|jvm)_[a-z_]+\\b(?!\\{)").matcher(a.expr()).find(),
          () -> a.name() + " reads a metric without a selector: " + a.expr());
    }
    assertTrue(selectors >= alerts.size(), "every alert reads some series");
  }

  @Test
  void everyAlertHasASeveritySummaryDescriptionAndItsRunbookSection() throws IOException {
    String runbook = Files.readString(Repo.file("docs/runbook.md"));
    Set<String> sections = Pattern.compile("(?m)^## (Kubeassume\\w+)$").matcher(runbook).results()
        .map(m -> m.group(1)).collect(Collectors.toCollection(TreeSet::new));
    List<PrometheusRules.Alert> alerts = alerts(ENABLED);
    for (PrometheusRules.Alert a : alerts) {
      assertTrue(Set.of("warning", "critical").contains(a.labels().get("severity")), a.name() + " has a severity");
      assertFalse(a.annotations().getOrDefault("summary", "").isBlank(), a.name() + " has a summary");
      assertFalse(a.annotations().getOrDefault("description", "").isBlank(), a.name() + " has a description");
      assertEquals("https://github.com/kubeassume/kubeassume/blob/main/docs/runbook.md#" + a.name().toLowerCase(Locale.ROOT),
          a.annotations().get("runbook_url"), a.name());
      // GitHub's anchor of "## KubeassumeNotServing" is #kubeassumenotserving.
      assertTrue(sections.contains(a.name()), () -> "docs/runbook.md has no section \"## " + a.name() + "\"");
    }
    assertEquals(alerts.stream().map(PrometheusRules.Alert::name).collect(Collectors.toCollection(TreeSet::new)), sections,
        "the runbook has one section per alert and none for an alert that does not exist");
  }

  @Test
  void thresholdsLabelsAndTheRunbookComeFromValues() {
    List<PrometheusRules.Alert> alerts = alerts(OTHER_THRESHOLDS);
    for (PrometheusRules.Alert a : alerts) {
      assertEquals("platform", a.labels().get("team"), a.name() + " carries alertLabels");
      assertEquals("https://wiki.example.com/kubeassume#" + a.name().toLowerCase(Locale.ROOT), a.annotations().get("runbook_url"));
    }
    Map<String, String> forDurations = Map.of(
        "KubeassumeNotServing", "3m",
        "KubeassumeNoLeader", "45s",
        "KubeassumeSourceFailing", "20m",
        "KubeassumeConfigMapWriteFailing", "15m",
        "KubeassumeRevisionSkew", "2m",
        "KubeassumeMirrorBehind", "30m",
        "KubeassumeCertificateReloadFailing", "20m",
        "KubeassumeConnectionFlood", "10m");
    forDurations.forEach((name, duration) -> assertEquals(duration, alert(alerts, name).forDuration(), name));

    assertTrue(alert(alerts, "KubeassumeOverlapShorterThanTokenLifetime").expr().endsWith(") < 3600"));
    String removal = alert(alerts, "KubeassumeKeyRemovedBeforeTokensExpire").expr();
    assertTrue(removal.contains("- time()) < 1800") && removal.endsWith(") < 3600"), removal);
    assertTrue(alert(alerts, "KubeassumeMirrorErrors").expr().endsWith("[1h])) > 5"));
    assertEquals("critical", alert(alerts, "KubeassumeMirrorErrors").labels().get("severity"));
    assertEquals("critical", alert(alerts, "KubeassumeMirrorBehind").labels().get("severity"));
    assertTrue(alert(alerts, "KubeassumeCertificateExpiresSoon").expr().endsWith("< 1814400 >= 604800"));
    assertTrue(alert(alerts, "KubeassumeCertificateAboutToExpire").expr().endsWith("< 604800"));
    assertTrue(alert(alerts, "KubeassumeConnectionFlood").expr().contains("[2m])) > 2.5\n"));
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    List<PrometheusRules.Alert> alerts = alerts(ENABLED);
    assertEquals("2m", alert(alerts, "KubeassumeNotServing").forDuration());
    assertEquals("1m", alert(alerts, "KubeassumeNoLeader").forDuration());
    assertEquals("1m", alert(alerts, "KubeassumeRevisionSkew").forDuration());
    assertTrue(alert(alerts, "KubeassumeCertificateExpiresSoon").expr().endsWith("< 1209600 >= 259200"), "14 and 3 days");
    assertEquals("warning", alert(alerts, "KubeassumeMirrorBehind").labels().get("severity"));
    assertEquals(Set.of("kubeassume", "kubeassume-ha", "kubeassume-mirror", "kubeassume-tls"),
        alerts.stream().map(PrometheusRules.Alert::group).collect(Collectors.toSet()));
  }
}
