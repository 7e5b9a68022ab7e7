package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.nimbusds.jose.jwk.RSAKey;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.config.TlsFiles;
import io.kubeassume.mirror.MirrorLocation;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Every metric the alerting rules (deploy/prometheus/kubeassume-rules.yaml, rendered from the chart)
 * and the Grafana dashboard (deploy/helm/kubeassume/dashboards/kubeassume.json) read is one that a
 * running server exposes on /metrics. Servers run in each mode: key files with a state file,
 * kubernetes source with the ConfigMap store as the elected leader, an S3 mirror, TLS. Each rule
 * group is checked against the modes it is for (the core group against all of them); each
 * dashboard query against some mode that has all its metrics. A metric renamed in the server, or
 * misspelt in a rule or a panel, fails here rather than at night.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringMetricsTest {
  static final Duration WITHIN = Duration.ofSeconds(30);
  static final String RULES = "deploy/prometheus/kubeassume-rules.yaml";
  static final String DASHBOARD = "deploy/helm/kubeassume/dashboards/kubeassume.json";
  /** Series Prometheus makes itself, not the server. */
  static final Set<String> MADE_BY_PROMETHEUS = Set.of("up");

  enum Mode { FILES, KUBERNETES_LEADER, MIRROR, TLS }

  /** Which modes have the metrics of each rule group of the chart (_prometheusrule.tpl). */
  static final Map<String, Set<Mode>> GROUP_MODES = Map.of(
      "kubeassume", Set.of(Mode.values()),
      "kubeassume-ha", Set.of(Mode.KUBERNETES_LEADER),
      "kubeassume-mirror", Set.of(Mode.MIRROR),
      "kubeassume-tls", Set.of(Mode.TLS));

  /**
   * Metrics an alert reads only to narrow other series where they exist; its expression is written to
   * work without them: KubeassumeSourceFailing drops followers (kubeassume_leader == 0), and a single
   * replica with a state file has no Lease and no such metric.
   */
  static final Map<String, Set<String>> WHERE_PRESENT = Map.of("KubeassumeSourceFailing", Set.of("kubeassume_leader"));

  @TempDir
  Path dir;

  private final Map<Mode, Set<String>> exposed = new EnumMap<>(Mode.class);

  @AfterAll
  void clearCredentials() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  @Test
  void everyAlertReadsMetricsTheServerExposesInTheModesItIsFor() throws Exception {
    Map<String, Object> rules = Serialization.unmarshal(Files.readString(TestServer.repoFile(RULES)), Map.class);
    int checked = 0;
    for (Object g : (List<?>) rules.get("groups")) {
      Map<?, ?> group = (Map<?, ?>) g;
      String name = (String) group.get("name");
      Set<Mode> modes = GROUP_MODES.get(name);
      if (modes == null) {
        fail("rule group " + name + " is new: add it to GROUP_MODES with the modes whose servers have its metrics");
      }
      for (Object r : (List<?>) group.get("rules")) {
        Map<?, ?> rule = (Map<?, ?>) r;
        Set<String> names = PromQl.metricNames((String) rule.get("expr"));
        assertFalse(names.isEmpty(), () -> rule.get("alert") + " reads no metric");
        Set<String> optional = WHERE_PRESENT.getOrDefault((String) rule.get("alert"), Set.of());
        for (Mode mode : modes) {
          Set<String> missing = missing(names, exposed(mode));
          missing.removeAll(optional);
          assertTrue(missing.isEmpty(), () -> "alert " + rule.get("alert") + " (group " + name + ") reads " + missing
              + ", which a server in mode " + mode + " does not expose on /metrics");
          checked++;
        }
        for (String metric : optional) {
          boolean somewhere = false;
          for (Mode mode : Mode.values()) {
            somewhere |= exposed(mode).contains(metric);
          }
          assertTrue(somewhere && names.contains(metric), () -> rule.get("alert") + " reads " + metric + " where present, yet no mode has it");
        }
      }
    }
    assertTrue(checked >= 17 + 8 * 3, "every alert was checked in its modes: " + checked);
  }

  @Test
  void everyDashboardQueryReadsMetricsTheServerExposes() throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(TestServer.repoFile(DASHBOARD)));
    Map<String, Set<String>> queries = new LinkedHashMap<>();
    for (Object p : dashboard.getJsonArray("panels")) {
      JsonObject panel = (JsonObject) p;
      for (Object t : panel.getJsonArray("targets", new io.vertx.core.json.JsonArray())) {
        String expr = ((JsonObject) t).getString("expr");
        queries.put(panel.getString("title") + ": " + expr, PromQl.metricNames(expr));
      }
    }
    for (Object v : dashboard.getJsonObject("templating").getJsonArray("list")) {
      JsonObject variable = (JsonObject) v;
      if ("query".equals(variable.getString("type"))) {
        String query = variable.getString("definition").replaceFirst("^label_values\\((.*), \\w+\\)$", "$1");
        queries.put("variable " + variable.getString("name") + ": " + query, PromQl.metricNames(query));
      }
    }
    assertTrue(queries.size() > 30, "the dashboard's queries were found");
    for (Map.Entry<String, Set<String>> q : queries.entrySet()) {
      assertFalse(q.getValue().isEmpty(), () -> "reads no metric: " + q.getKey());
      boolean somewhere = false;
      for (Mode mode : Mode.values()) {
        somewhere |= missing(q.getValue(), exposed(mode)).isEmpty();
      }
      assertTrue(somewhere, () -> "no server, in any mode, exposes all of " + q.getValue() + " (" + q.getKey() + ")");
    }
  }

  @Test
  void theCheckCatchesAMisspeltMetric() throws Exception {
    assertEquals(Set.of("kubeassume_document_revisions"),
        missing(PromQl.metricNames("max(kubeassume_document_revisions) > on (job) kubeassume_active_keys"), exposed(Mode.FILES)));
    assertEquals(Set.of(), missing(Set.of("up", "jvm_memory_used_bytes"), exposed(Mode.FILES)));
  }

  private static Set<String> missing(Set<String> names, Set<String> exposedNames) {
    Set<String> missing = new TreeSet<>(names);
    missing.removeAll(exposedNames);
    missing.removeAll(MADE_BY_PROMETHEUS);
    return missing;
  }

  /** The sample names of /metrics of a server in {@code mode}, started once, scraped once it serves. */
  private Set<String> exposed(Mode mode) throws Exception {
    Set<String> names = exposed.get(mode);
    if (names == null) {
      names = PromQl.exposedNames(scrape(mode));
      assertTrue(names.contains("kubeassume_document_revision") && names.contains("jvm_memory_used_bytes"),
          () -> "a scrape of mode " + mode + " without the basic metrics");
      exposed.put(mode, names);
    }
    return names;
  }

  private String scrape(Mode mode) throws Exception {
    switch (mode) {
      case FILES:
        try (TestServer t = TestServer.start(TestServer.config("http://localhost", List.of(TestServer.DEV_PUBLIC_KEY))
            .stateFile(dir.resolve("state.json")).build())) {
          return whenServing(t);
        }
      case KUBERNETES_LEADER:
        try (MockCluster cluster = new MockCluster(dir)) {
          RSAKey key = Keys.rsa();
          cluster.serves("http://127.0.0.1/clusters/m", key);
          try (TestServer t = TestServer.start(cluster.replica("http://127.0.0.1/clusters/m", "replica-1").build())) {
            TestServer.await(WITHIN, "the replica leads", () -> t.server.leading());
            return whenServing(t);
          }
        }
      case MIRROR:
        return scrapeWithMirror();
      case TLS:
        Path tls = TestServer.repoFile("certs/dev/tls");
        try (TestServer t = TestServer.start(TestServer.config("https://localhost", List.of(TestServer.DEV_PUBLIC_KEY))
            .tls(new TlsFiles(tls.resolve("tls.crt"), tls.resolve("tls.key"))).build())) {
          return whenServing(t);
        }
      default:
        throw new IllegalArgumentException(mode.toString());
    }
  }

  private String scrapeWithMirror() throws Exception {
    S3ProxyExtension s3proxy = S3ProxyExtension.builder().withCredentials("access", "secret-key").build();
    s3proxy.beforeEach(null);
    try (S3Client raw = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).region(Region.US_EAST_1)
        .endpointOverride(s3proxy.getUri()).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("access", "secret-key"))).build()) {
      raw.createBucket(r -> r.bucket("oidc"));
      System.setProperty("aws.accessKeyId", "access");
      System.setProperty("aws.secretAccessKey", "secret-key");
      ServeConfig config = TestServer.config("http://localhost", List.of(TestServer.DEV_PUBLIC_KEY))
          .mirrors(List.of(MirrorLocation.parse("s3://oidc/clusters/m"))).mirrorEndpoint(s3proxy.getUri()).build();
      try (TestServer t = TestServer.start(config)) {
        TestServer.await(WITHIN, "the mirror holds the served revision", TestServer.io(() ->
            t.metric("kubeassume_published_revision{target=\"s3://oidc/clusters/m\"}") == t.metric("kubeassume_document_revision")));
        return whenServing(t);
      }
    } finally {
      s3proxy.afterEach(null);
    }
  }

  private static String whenServing(TestServer t) throws Exception {
    TestServer.await(WITHIN, "the documents are served", TestServer.io(() -> t.metric("kubeassume_document_revision") > 0));
    // jvm_gc_pause_* appear with the first collection this server's registry hears of; a short run may have none.
    System.gc();
    TestServer.await(WITHIN, "a garbage collection recorded", TestServer.io(() -> t.metrics().contains("jvm_gc_pause_seconds_sum")));
    return t.metrics();
  }
}
