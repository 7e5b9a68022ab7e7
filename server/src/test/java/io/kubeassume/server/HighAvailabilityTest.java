package io.kubeassume.server;

import static io.kubeassume.server.MockCluster.servedKids;
import static io.kubeassume.server.TestServer.await;
import static io.kubeassume.server.TestServer.io;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.store.ConfigMapCodec;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several kubeassume replicas (each its own Vert.x and KubeassumeServer) against one mock API
 * server: Lease election, the ConfigMap store, fail-over, outages, repair. Every check of what
 * is served is a real HTTP GET on each replica's public port.
 */
class HighAvailabilityTest {
  static final String ISSUER = "http://127.0.0.1/clusters/ha";
  static final String JWKS = "/clusters/ha/openid/v1/jwks";
  static final Duration WITHIN = Duration.ofSeconds(15);

  @TempDir
  Path dir;
  MockCluster cluster;
  final List<TestServer> replicas = new ArrayList<>();

  @BeforeEach
  void startCluster() {
    cluster = new MockCluster(dir);
  }

  @AfterEach
  void stopAll() throws Exception {
    for (TestServer t : replicas) {
      try {
        t.close();
      } catch (Exception ignored) {
        // already closed by the test
      }
    }
    cluster.close();
  }

  TestServer replica(String identity) throws Exception {
    TestServer t = TestServer.start(cluster.replica(ISSUER, identity).build());
    replicas.add(t);
    return t;
  }

  List<TestServer> replicas(String... identities) throws Exception {
    List<TestServer> started = new ArrayList<>();
    for (String id : identities) {
      started.add(replica(id));
    }
    return started;
  }

  static void allServe(List<TestServer> group, List<String> kids) throws InterruptedException {
    for (TestServer t : group) {
      await(WITHIN, "replica serves " + kids, io(() -> servedKids(t, JWKS).equals(kids)));
    }
  }

  TestServer awaitOneLeader(List<TestServer> group) throws InterruptedException {
    await(WITHIN, "a leader is elected", () -> group.stream().filter(t -> t.server.leading()).count() == 1);
    List<TestServer> leaders = group.stream().filter(t -> t.server.leading()).toList();
    assertEquals(1, leaders.size(), "exactly one leader");
    return leaders.get(0);
  }

  static String identity(TestServer t) throws Exception {
    Map<String, Object> leader = JSONObjectUtils.getJSONObject(JSONObjectUtils.parse(t.get(t.managementUri("/readyz")).body()), "leader");
    return (String) leader.get("identity");
  }

  @Test
  void exactlyOneLeaderReadsTheApiServerAndEveryReplicaServesARotation() throws Exception {
    RSAKey a = Keys.rsa();
    RSAKey b = Keys.rsa();
    cluster.serves(ISSUER, a);
    List<TestServer> group = replicas("replica-1", "replica-2", "replica-3");
    allServe(group, List.of(Keys.kidOf(a)));
    TestServer leader = awaitOneLeader(group);

    cluster.serves(ISSUER, a, b);
    allServe(group, List.of(Keys.kidOf(a), Keys.kidOf(b)).stream().sorted().toList().equals(
        servedKids(leader, JWKS)) ? servedKids(leader, JWKS) : expectedOrder(leader, a, b));
    cluster.serves(ISSUER, b);
    // a leaves the API server: every replica keeps serving it as a retired key inside the overlap window.
    await(WITHIN, "a is retired in the ConfigMap", io(() -> cluster.configMap().getData().get(ConfigMapCodec.STATE_KEY)
        .contains("\"retiredAt\":\"")));
    for (TestServer t : group) {
      assertTrue(servedKids(t, JWKS).containsAll(List.of(Keys.kidOf(a), Keys.kidOf(b))), "retired and new key on every replica");
    }

    List<String> readers = MockCluster.jwksReaders(cluster.drainRequests());
    assertEquals(List.of(identity(leader)), readers, "only the leader read the API server's JWKS");
    double leaders = 0;
    for (TestServer t : group) {
      leaders += t.metric("kubeassume_leader");
      HttpResponse<String> ready = t.get(t.managementUri("/readyz"));
      assertEquals(200, ready.statusCode(), ready.body());
      assertTrue(ready.body().contains("\"type\":\"configmap\""), ready.body());
    }
    assertEquals(1.0, leaders, "kubeassume_leader is 1 on exactly one replica");
    assertTrue(leader.metric("kubeassume_configmap_writes_total{result=\"written\"}") >= 3, "the leader wrote each change");
    assertEquals(1.0, leader.metric("kubeassume_leader_transitions_total"));
  }

  /** The JWKS order is first-seen then kid; a and b may have been seen in either order by the leader. */
  static List<String> expectedOrder(TestServer leader, RSAKey a, RSAKey b) throws Exception {
    List<String> served = servedKids(leader, JWKS);
    return served.size() == 2 ? served : List.of(Keys.kidOf(a), Keys.kidOf(b));
  }

  @Test
  void killingTheLeaderHandsOverAndTheRetiredKeySurvivesFailOverAndRestart() throws Exception {
    RSAKey a = Keys.rsa();
    RSAKey b = Keys.rsa();
    cluster.serves(ISSUER, a);
    List<TestServer> group = replicas("replica-1", "replica-2");
    allServe(group, List.of(Keys.kidOf(a)));
    TestServer leader = awaitOneLeader(group);
    TestServer follower = group.stream().filter(t -> t != leader).findFirst().orElseThrow();

    cluster.serves(ISSUER, b);
    await(WITHIN, "rotation served by the follower", io(() -> servedKids(follower, JWKS).size() == 2));
    cluster.drainRequests();

    leader.close();
    await(WITHIN, "the follower takes over", () -> follower.server.leading());
    // The new leader merges onto the ConfigMap's state, so a (no longer on the API server) stays retired, not forgotten.
    await(WITHIN, "the new leader read the API server", io(() -> MockCluster.jwksReaders(cluster.drainRequests())
        .contains(identity(follower))));
    assertTrue(servedKids(follower, JWKS).containsAll(List.of(Keys.kidOf(a), Keys.kidOf(b))), "retired key survives fail-over");

    // The whole Deployment restarts: a fresh replica serves the retired key from the ConfigMap.
    follower.close();
    TestServer restarted = replica("replica-3");
    await(WITHIN, "served after restart", io(() -> servedKids(restarted, JWKS).size() == 2));
    assertTrue(servedKids(restarted, JWKS).containsAll(List.of(Keys.kidOf(a), Keys.kidOf(b))), "retired key survives restart");
  }

  @Test
  void anApiServerOutageKeepsEveryReplicaServingAndReady() throws Exception {
    RSAKey a = Keys.rsa();
    cluster.serves(ISSUER, a);
    List<TestServer> group = replicas("replica-1", "replica-2");
    allServe(group, List.of(Keys.kidOf(a)));
    TestServer leader = awaitOneLeader(group);
    String good = leader.jwks("/clusters/ha");

    cluster.oidcFails(503);
    await(WITHIN, "the leader counts the failures", io(() ->
        leader.metric("kubeassume_sync_total{source=\"kubernetes\",status=\"error\"}") >= 2));
    // Then the whole API server goes away (Lease and ConfigMap too).
    cluster.stop();
    Thread.sleep(4500); // past the lease duration: the leader can no longer renew
    for (TestServer t : group) {
      assertEquals(good, t.jwks("/clusters/ha"), "last good documents still served");
      HttpResponse<String> ready = t.get(t.managementUri("/readyz"));
      assertEquals(200, ready.statusCode(), "ready while documents exist: " + ready.body());
    }
    String leaderReady = leader.get(leader.managementUri("/readyz")).body();
    assertTrue(leaderReady.contains("cannot reach the kubernetes API server"), leaderReady);
  }

  @Test
  void anIssuerMismatchPublishesNothing() throws Exception {
    String apiServerIssuer = "https://kubernetes.default.svc.cluster.local";
    cluster.serves(apiServerIssuer, Keys.rsa());
    List<TestServer> group = replicas("replica-1", "replica-2");
    TestServer leader = awaitOneLeader(group);
    await(WITHIN, "mismatch counted", io(() -> leader.metric("kubeassume_issuer_mismatch_total") >= 1));
    HttpResponse<String> ready = leader.get(leader.managementUri("/readyz"));
    assertEquals(503, ready.statusCode(), ready.body());
    assertTrue(ready.body().contains(ISSUER) && ready.body().contains(apiServerIssuer), ready.body());
    assertNull(cluster.configMap(), "nothing written to the ConfigMap");
    for (TestServer t : group) {
      assertEquals(503, t.get(t.publicUri(JWKS)).statusCode(), "nothing published");
    }
  }

  @Test
  void aHandBrokenConfigMapIsRejectedAndRepairedByTheLeader() throws Exception {
    RSAKey a = Keys.rsa();
    cluster.serves(ISSUER, a);
    List<TestServer> group = replicas("replica-1", "replica-2");
    allServe(group, List.of(Keys.kidOf(a)));
    TestServer leader = awaitOneLeader(group);
    String good = leader.jwks("/clusters/ha");
    ConfigMap before = cluster.configMap();

    // Someone publishes a key by hand in the JWKS only: it does not match the state, so it is refused.
    RSAKey sneaked = Keys.rsa();
    ConfigMap broken = new ConfigMapBuilder(before).editMetadata().withResourceVersion(null).endMetadata()
        .addToData(ConfigMapCodec.JWKS_KEY, KubernetesSourceTest.jwks(a, sneaked)).build();
    cluster.client.configMaps().inNamespace(MockCluster.NAMESPACE).resource(broken).update();

    await(WITHIN, "the leader repaired it", io(() -> {
      ConfigMap now = cluster.configMap();
      return !now.getMetadata().getResourceVersion().equals(before.getMetadata().getResourceVersion())
          && now.getData().equals(before.getData());
    }));
    double rejected = 0;
    for (TestServer t : group) {
      assertEquals(good, t.jwks("/clusters/ha"), "the hand-made key was never served");
      rejected += t.metric("kubeassume_configmap_rejected_total");
    }
    assertTrue(rejected >= 1, "the invalid content was counted");
    ConfigMapCodec.decode("test", IssuerUrl.parse(ISSUER), cluster.configMap().getData());

    // Deleted by hand: served on, and re-created.
    cluster.client.configMaps().inNamespace(MockCluster.NAMESPACE).withName(MockCluster.CONFIGMAP).delete();
    await(WITHIN, "the leader re-created it", io(() -> cluster.configMap() != null));
    assertEquals(before.getData(), cluster.configMap().getData());
    for (TestServer t : group) {
      assertEquals(good, t.jwks("/clusters/ha"));
    }
    assertNotEquals(0.0, leader.metric("kubeassume_configmap_writes_total{result=\"written\"}"));
  }
}
