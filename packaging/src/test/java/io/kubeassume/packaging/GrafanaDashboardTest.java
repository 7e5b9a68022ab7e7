package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard (deploy/helm/kubeassume/dashboards/kubeassume.json) and the chart's
 * ConfigMap for the Grafana sidecar. Whether its metrics exist is checked against running servers
 * in the server module (MonitoringMetricsTest).
 */
class GrafanaDashboardTest {
  static final String FILE = "deploy/helm/kubeassume/dashboards/kubeassume.json";
  /** Metrics of the process or of a port, not of one issuer: not filtered by $issuer. */
  static final Set<String> PROCESS_WIDE = Set.of("kubeassume_http_open_connections", "kubeassume_http_connection_limit",
      "kubeassume_http_connections_closed_total", "kubeassume_http_accept_paused_total", "kubeassume_tls_reloads_total",
      "kubeassume_tls_certificate_expiry_timestamp_seconds");
  private static final Pattern SELECTOR = Pattern.compile("\\b([a-z_]+)\\{([^}]*)}");

  static JsonObject dashboard() throws IOException {
    return new JsonObject(Files.readString(Repo.file(FILE)));
  }

  /** Every panel that is not a row. */
  static List<JsonObject> panels(JsonObject dashboard) {
    List<JsonObject> panels = new ArrayList<>();
    for (Object p : dashboard.getJsonArray("panels")) {
      JsonObject panel = (JsonObject) p;
      if (!"row".equals(panel.getString("type"))) {
        panels.add(panel);
      }
    }
    return panels;
  }

  static List<String> queries(JsonObject dashboard) {
    List<String> queries = new ArrayList<>();
    for (JsonObject panel : panels(dashboard)) {
      for (Object t : panel.getJsonArray("targets")) {
        queries.add(((JsonObject) t).getString("expr"));
      }
    }
    return queries;
  }

  @Test
  void everyQuerySelectsTheChosenNamespaceJobAndIssuer() throws IOException {
    JsonObject d = dashboard();
    int selectors = 0;
    for (String query : queries(d)) {
      Matcher m = SELECTOR.matcher(query);
      boolean any = false;
      while (m.find()) {
        any = true;
        selectors++;
        String metric = m.group(1);
        String matchers = m.group(2);
        assertTrue(matchers.startsWith("namespace=~\"$namespace\", job=~\"$job\""), () -> "unscoped " + metric + " in " + query);
        assertEquals(!PROCESS_WIDE.contains(metric) && metric.startsWith("kubeassume_"), matchers.contains("issuer=~\"$issuer\""),
            () -> metric + ": per-issuer metrics, and only those, are filtered by $issuer: " + query);
      }
      assertTrue(any, () -> "a query without a selector: " + query);
    }
    assertTrue(selectors > 30, "the dashboard has its queries");
  }

  @Test
  void theIssuerVariableMatchesEverySeriesWhileNoSeriesHasTheLabel() throws IOException {
    JsonArray variables = dashboard().getJsonObject("templating").getJsonArray("list");
    List<String> names = variables.stream().map(v -> ((JsonObject) v).getString("name")).toList();
    assertEquals(List.of("datasource", "namespace", "job", "issuer"), names);
    JsonObject issuer = variables.getJsonObject(3);
    // issuer=~".*" also matches a series without the label, so "All" is harmless before the label exists.
    assertEquals(true, issuer.getBoolean("includeAll"));
    assertEquals(".*", issuer.getString("allValue"));
    assertEquals(new JsonArray().add("$__all"), issuer.getJsonObject("current").getJsonArray("value"));
    for (JsonObject panel : panels(dashboard())) {
      assertEquals("${datasource}", panel.getJsonObject("datasource").getString("uid"), panel.getString("title"));
    }
  }

  @Test
  void itShowsWhatOperatorsNeed() throws IOException {
    String all = String.join("\n", queries(dashboard()));
    for (String metric : List.of("kubeassume_http_requests_total", "kubeassume_sync_duration_seconds_max",
        "kubeassume_http_open_connections", "kubeassume_document_revision", "kubeassume_active_keys", "kubeassume_leader",
        "kubeassume_leader_transitions_total", "kubeassume_source_up", "kubeassume_sync_total", "kubeassume_publish_total",
        "kubeassume_last_publish_timestamp_seconds", "kubeassume_tls_certificate_expiry_timestamp_seconds",
        "jvm_memory_used_bytes")) {
      assertTrue(all.contains(metric + "{"), () -> "the dashboard does not show " + metric);
    }
  }

  @Test
  void panelsHaveUniqueIdsAndDoNotOverlap() throws IOException {
    Set<Integer> ids = new HashSet<>();
    List<int[]> boxes = new ArrayList<>();
    for (Object p : dashboard().getJsonArray("panels")) {
      JsonObject panel = (JsonObject) p;
      assertTrue(ids.add(panel.getInteger("id")), "duplicate panel id " + panel.getInteger("id"));
      JsonObject g = panel.getJsonObject("gridPos");
      int[] box = {g.getInteger("x"), g.getInteger("y"), g.getInteger("w"), g.getInteger("h")};
      assertTrue(box[0] >= 0 && box[0] + box[2] <= 24, () -> panel.getString("title") + " is wider than the dashboard");
      for (int[] other : boxes) {
        boolean apart = box[0] + box[2] <= other[0] || other[0] + other[2] <= box[0]
            || box[1] + box[3] <= other[1] || other[1] + other[3] <= box[1];
        assertTrue(apart, () -> panel.getString("title") + " overlaps another panel");
      }
      boxes.add(box);
    }
  }

  @Test
  void theChartShipsItForTheGrafanaSidecarWhenAskedTo() throws IOException {
    assertTrue(Charts.render("").find(ConfigMap.class, "kubeassume-dashboard").isEmpty(), "off by default");

    Rendered r = Charts.render("""
        grafanaDashboard:
          enabled: true
          annotations: {grafana_folder: Kubernetes}
          namespace: monitoring
        """);
    ConfigMap cm = r.find(ConfigMap.class, "kubeassume-dashboard").orElseThrow();
    assertEquals("1", cm.getMetadata().getLabels().get("grafana_dashboard"), "the sidecar's default label");
    assertEquals("Kubernetes", cm.getMetadata().getAnnotations().get("grafana_folder"));
    assertEquals("monitoring", cm.getMetadata().getNamespace());
    assertEquals(Files.readString(Repo.file(FILE)), cm.getData().get("kubeassume.json"), "the file, byte for byte");

    ConfigMap own = Charts.render("grafanaDashboard: {enabled: true, labels: {dashboards: kubeassume}}")
        .find(ConfigMap.class, "kubeassume-dashboard").orElseThrow();
    assertEquals(Charts.NAMESPACE, own.getMetadata().getNamespace());
    assertEquals("kubeassume", own.getMetadata().getLabels().get("dashboards"));
    // Helm merges maps with the defaults: the sidecar's label stays unless set to null.
    assertEquals("1", own.getMetadata().getLabels().get("grafana_dashboard"));
    ConfigMap without = Charts.render("grafanaDashboard: {enabled: true, labels: {grafana_dashboard: null, team: a}}")
        .find(ConfigMap.class, "kubeassume-dashboard").orElseThrow();
    assertFalse(without.getMetadata().getLabels().containsKey("grafana_dashboard"));
  }
}
