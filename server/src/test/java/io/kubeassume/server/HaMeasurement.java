package io.kubeassume.server;

import static io.kubeassume.server.TestServer.await;
import static io.kubeassume.server.TestServer.io;

import com.nimbusds.jose.jwk.RSAKey;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubeassume.config.ClusterSettings;
import io.kubeassume.config.ServeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measurements for docs/performance.md, not a test: run with
 * {@code mvn -o -pl server -am test -Dtest=HaMeasurement -Dkubeassume.measure=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "kubeassume.measure", matches = "true")
class HaMeasurement {
  static final String ISSUER = "http://127.0.0.1/clusters/ha";
  static final String JWKS = "/clusters/ha/openid/v1/jwks";

  @TempDir
  Path dir;

  List<TestServer> start(MockCluster cluster, Duration poll, ClusterSettings timing) throws Exception {
    List<TestServer> group = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      ServeConfig c = cluster.replica(ISSUER, "replica-" + i).pollInterval(poll)
          .cluster(new ClusterSettings(MockCluster.NAMESPACE, MockCluster.CONFIGMAP, "kubeassume", "replica-" + i,
              timing.leaseDuration(), timing.renewDeadline(), timing.retryPeriod())).build();
      group.add(TestServer.start(c));
    }
    return group;
  }

  static boolean allServe(List<TestServer> group, String kid) {
    for (TestServer t : group) {
      try {
        if (!MockCluster.servedKids(t, JWKS).contains(kid)) {
          return false;
        }
      } catch (Exception e) {
        return false;
      }
    }
    return true;
  }

  @Test
  void propagation() throws Exception {
    try (MockCluster cluster = new MockCluster(dir)) {
      cluster.serves(ISSUER, Keys.rsa());
      List<TestServer> group = start(cluster, Duration.ofSeconds(1), ClusterSettings.of("x", "x"));
      try {
        await(Duration.ofSeconds(30), "served", () -> group.stream().allMatch(t -> io(() -> t.get(t.publicUri(JWKS)).statusCode() == 200).getAsBoolean()));
        List<Long> endToEnd = new ArrayList<>();
        List<Long> afterWrite = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
          RSAKey next = Keys.rsa();
          String rvBefore = cluster.configMap().getMetadata().getResourceVersion();
          long t0 = System.nanoTime();
          cluster.serves(ISSUER, next);
          long written = 0;
          while (!allServe(group, Keys.kidOf(next))) {
            if (written == 0 && !cluster.configMap().getMetadata().getResourceVersion().equals(rvBefore)) {
              written = System.nanoTime();
            }
            Thread.sleep(2);
          }
          long done = System.nanoTime();
          if (written == 0) {
            written = done;
          }
          endToEnd.add((done - t0) / 1_000_000);
          afterWrite.add((done - written) / 1_000_000);
        }
        System.out.println("MEASURE end-to-end ms (poll 1s, includes waiting for the poll): " + endToEnd);
        System.out.println("MEASURE ConfigMap write seen -> all 3 replicas serve, ms: " + afterWrite);
      } finally {
        for (TestServer t : group) {
          t.close();
        }
      }
    }
  }

  @Test
  void requestsPerHour() throws Exception {
    long seconds = Long.getLong("kubeassume.measure.seconds", 120);
    try (MockCluster cluster = new MockCluster(dir)) {
      cluster.serves(ISSUER, Keys.rsa());
      List<TestServer> group = start(cluster, Duration.ofSeconds(30), ClusterSettings.of("x", "x"));
      try {
        await(Duration.ofSeconds(30), "served", () -> group.stream().allMatch(t -> io(() -> t.get(t.publicUri(JWKS)).statusCode() == 200).getAsBoolean()));
        cluster.drainRequests();
        Thread.sleep(seconds * 1000);
        Map<String, Integer> counts = new TreeMap<>();
        for (RecordedRequest r : cluster.drainRequests()) {
          String who = r.getHeader("Authorization") == null ? "?" : r.getHeader("Authorization").replaceFirst("^Bearer ", "");
          String path = r.getPath().replaceAll("\\?.*", "?...");
          counts.merge(who + " " + r.getMethod() + " " + path, 1, Integer::sum);
        }
        System.out.println("MEASURE requests in " + seconds + " s, 3 replicas, defaults (poll 30s, retry 2s):");
        counts.forEach((k, v) -> System.out.println("MEASURE   " + v + "  " + k + "  => " + (v * 3600 / seconds) + "/h"));
        System.out.println("MEASURE total " + counts.values().stream().mapToInt(Integer::intValue).sum() * 3600 / seconds + "/h");
      } finally {
        for (TestServer t : group) {
          t.close();
        }
      }
    }
  }
}
