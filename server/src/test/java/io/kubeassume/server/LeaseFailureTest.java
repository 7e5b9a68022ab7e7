package io.kubeassume.server;

import static io.kubeassume.server.TestServer.await;
import static io.kubeassume.server.TestServer.io;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import io.kubeassume.logging.LogSettings;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An API server that goes away (or was never there) while replicas campaign for the Lease: each
 * replica logs one line per distinct failure, with its cause and no stack trace, and /readyz says
 * why nobody leads.
 */
class LeaseFailureTest {
  static final String ISSUER = "http://127.0.0.1/clusters/ha";
  static final Duration WITHIN = Duration.ofSeconds(15);

  @TempDir
  Path dir;
  MockCluster cluster;
  final List<TestServer> replicas = new ArrayList<>();
  final List<String> log = new CopyOnWriteArrayList<>();
  LogSettings.Capture capture;

  @BeforeEach
  void start() {
    capture = LogSettings.capture(log::add);
    cluster = new MockCluster(dir);
  }

  @AfterEach
  void stop() throws Exception {
    for (TestServer t : replicas) {
      t.close();
    }
    cluster.close();
    capture.close();
  }

  static JsonObject readyz(TestServer t) throws Exception {
    return new JsonObject(t.get(t.managementUri("/readyz")).body());
  }

  @Test
  void aLostApiServerIsOneLinePerReplicaAndFailureWithItsCause() throws Exception {
    RSAKey a = Keys.rsa();
    cluster.serves(ISSUER, a);
    for (String id : List.of("replica-1", "replica-2")) {
      replicas.add(TestServer.start(cluster.replica(ISSUER, id).build()));
    }
    for (TestServer t : replicas) {
      await(WITHIN, "serving", io(() -> MockCluster.servedKids(t, "/clusters/ha/openid/v1/jwks").equals(List.of(Keys.kidOf(a)))));
    }

    cluster.stop();
    // Every replica tries the Lease every 500 ms: let each fail four more times (each failure is timestamped).
    for (TestServer t : replicas) {
      await(WITHIN, "the lease failure shows on /readyz", io(() -> readyz(t).getJsonObject("leader").containsKey("lastError")));
      for (int attempt = 0; attempt < 4; attempt++) {
        String before = readyz(t).getJsonObject("leader").getJsonObject("lastError").getString("at");
        await(WITHIN, "another failed lease attempt", io(() -> !readyz(t).getJsonObject("leader").getJsonObject("lastError")
            .getString("at").equals(before)));
      }
    }

    for (String id : List.of("replica-1", "replica-2")) {
      List<String> failures = log.stream().filter(l -> l.contains(id + " cannot ") && l.contains("the lease oidc/kubeassume")).toList();
      assertTrue(!failures.isEmpty() && failures.size() <= 2, "one line per distinct failure (a reset, then refused), "
          + "not one per attempt: " + failures);
      assertTrue(failures.stream().allMatch(l -> l.contains(" WARN ") && l.contains("Connection")), failures.toString());
    }
    assertTrue(log.stream().noneMatch(l -> l.contains("\tat ")), "no stack trace for an expected failure:\n"
        + String.join("\n", log));
    assertTrue(log.stream().noneMatch(l -> l.contains("LeaderElector")), "fabric8's per-attempt lines are not logged:\n"
        + String.join("\n", log));
  }

  @Test
  void withoutAnApiServerReadinessSaysWhyNobodyLeads() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    TestServer t = TestServer.start(cluster.replica(ISSUER, "replica-1", "http://127.0.0.1:" + closed).build());
    replicas.add(t);
    await(WITHIN, "readiness names the lease failure", io(() -> readyz(t).getString("reason")
        .startsWith("no valid document set yet: no replica can lead, cannot read the lease oidc/kubeassume: ")));
    JsonObject ready = readyz(t);
    assertEquals(503, t.get(t.managementUri("/readyz")).statusCode());
    assertTrue(ready.getString("reason").contains("Connection refused"), ready.encode());
    assertEquals(false, ready.getJsonObject("leader").getBoolean("leaseReachable"), ready.encode());
  }
}
