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
import io.kubeassume.config.SourceType;
import io.kubeassume.store.ConfigMapSyncStatus;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
  /**
   * For what needs the mock API server right after a replica closed: fabric8's mock (8.0) freezes for 30 s when a
   * client closes a watch while the mock is sending it an event (WatchEventsListener.onClosed awaits, on the event
   * loop, a send that waits up to 30 s for that same event loop). Seen once in 45 runs on a loaded machine.
   */
  static final Duration AFTER_A_REPLICA_CLOSES = Duration.ofSeconds(60);
  static final String SOURCE_UP = "kubeassume_source_up{source=\"kubernetes\"}";

  @TempDir
  Path dir;
  MockCluster cluster;
  final List<TestServer> replicas = new ArrayList<>();
  final List<CuttableProxy> proxies = new ArrayList<>();

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
    for (CuttableProxy p : proxies) {
      p.close();
    }
    cluster.close();
  }

  /** A replica that reaches the API server through its own proxy, so its connection can be cut. */
  TestServer replicaBehind(CuttableProxy proxy, String identity) throws Exception {
    TestServer t = TestServer.start(cluster.replica(ISSUER, identity, proxy.url()).build());
    replicas.add(t);
    return t;
  }

  CuttableProxy proxy() throws Exception {
    CuttableProxy p = new CuttableProxy(URI.create(cluster.apiServer.url("/")));
    proxies.add(p);
    return p;
  }

  static JsonObject readyz(TestServer t) throws Exception {
    return new JsonObject(t.get(t.managementUri("/readyz")).body());
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
    allServe(group, leaderServes(leader, a, b));
    cluster.serves(ISSUER, b);
    // a leaves the API server: every replica keeps serving it as a retired key inside the overlap window.
    await(WITHIN, "a is retired in the ConfigMap", io(() -> cluster.configMap().getData().get(ConfigMapCodec.STATE_KEY)
        .contains("\"retiredAt\":\"")));
    for (TestServer t : group) {
      assertTrue(servedKids(t, JWKS).containsAll(List.of(Keys.kidOf(a), Keys.kidOf(b))), "retired and new key on every replica");
      // Followers know when a leaves too: the retirement time travels in the ConfigMap.
      await(WITHIN, "every replica reports when the retired key leaves",
          io(() -> t.metric("kubeassume_next_key_removal_timestamp_seconds") > System.currentTimeMillis() / 1000.0));
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

  /**
   * What the leader serves once it serves both keys (the JWKS order is first-seen then kid). Read only
   * after it serves them: the ConfigMap holds a write a moment before the leader's write call returns and
   * the leader serves it, and on a loaded machine that moment is long enough for a read in between to get
   * the old key set, which no replica would serve for long.
   */
  static List<String> leaderServes(TestServer leader, RSAKey a, RSAKey b) throws Exception {
    await(WITHIN, "the leader serves both keys", io(() -> servedKids(leader, JWKS).containsAll(
        List.of(Keys.kidOf(a), Keys.kidOf(b)))));
    return servedKids(leader, JWKS);
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
    await(AFTER_A_REPLICA_CLOSES, "the follower takes over", () -> follower.server.leading());
    // The new leader merges onto the ConfigMap's state, so a (no longer on the API server) stays retired, not forgotten.
    await(WITHIN, "the new leader read the API server", io(() -> MockCluster.jwksReaders(cluster.drainRequests())
        .contains(identity(follower))));
    assertTrue(servedKids(follower, JWKS).containsAll(List.of(Keys.kidOf(a), Keys.kidOf(b))), "retired key survives fail-over");

    // The whole Deployment restarts: a fresh replica serves the retired key from the ConfigMap.
    follower.close();
    TestServer restarted = replica("replica-3");
    await(AFTER_A_REPLICA_CLOSES, "served after restart", io(() -> servedKids(restarted, JWKS).size() == 2));
    assertTrue(servedKids(restarted, JWKS).containsAll(List.of(Keys.kidOf(a), Keys.kidOf(b))), "retired key survives restart");
  }

  /**
   * The leader is cut off from the API server (a frozen node, a partition): it cannot renew nor
   * release the Lease. The follower takes over once the Lease expires, keeps the retired key, and
   * neither replica ever stops serving the documents.
   */
  @Test
  void aLeaderCutOffWithoutReleasingTheLeaseIsReplacedAfterTheLeaseDuration() throws Exception {
    RSAKey a = Keys.rsa();
    RSAKey b = Keys.rsa();
    cluster.serves(ISSUER, a);
    CuttableProxy p1 = proxy();
    CuttableProxy p2 = proxy();
    TestServer r1 = replicaBehind(p1, "replica-1");
    TestServer r2 = replicaBehind(p2, "replica-2");
    List<TestServer> group = List.of(r1, r2);
    allServe(group, List.of(Keys.kidOf(a)));
    TestServer leader = awaitOneLeader(group);
    TestServer follower = leader == r1 ? r2 : r1;
    CuttableProxy leaderLink = leader == r1 ? p1 : p2;
    String leaderId = identity(leader);
    String followerId = identity(follower);

    cluster.serves(ISSUER, b);
    await(WITHIN, "a is retired in the ConfigMap", io(() -> cluster.configMap().getData().get(ConfigMapCodec.STATE_KEY)
        .contains("\"retiredAt\":\"")));
    List<String> both = leaderServes(leader, a, b);
    allServe(group, both);
    assertTrue(both.containsAll(List.of(Keys.kidOf(a), Keys.kidOf(b))), both.toString());

    // Every replica is polled over real HTTP for the whole fail-over; any miss is recorded.
    AtomicBoolean polling = new AtomicBoolean(true);
    AtomicInteger answers = new AtomicInteger();
    AtomicReference<String> miss = new AtomicReference<>();
    Thread poller = new Thread(() -> {
      while (polling.get()) {
        for (TestServer t : group) {
          try {
            HttpResponse<String> r = t.get(t.publicUri(JWKS));
            if (r.statusCode() != 200 || !r.body().contains(Keys.kidOf(a))) {
              miss.compareAndSet(null, r.statusCode() + " " + r.body());
            }
            answers.incrementAndGet();
          } catch (Exception e) {
            miss.compareAndSet(null, e.toString());
          }
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "jwks-poller");
    poller.start();

    cluster.drainRequests();
    leaderLink.cut();
    // Not released: the Lease still names the cut-off leader until it expires.
    assertEquals(leaderId, cluster.leaseHolder());
    await(WITHIN, "the follower takes over after the lease duration", () -> follower.server.leading());
    assertEquals(followerId, cluster.leaseHolder());
    await(WITHIN, "the cut-off leader steps down after its renew deadline", () -> !leader.server.leading());
    await(WITHIN, "the new leader read the API server", io(() -> MockCluster.jwksReaders(cluster.drainRequests())
        .contains(followerId)));
    await(WITHIN, "the new leader reports its sync in the ConfigMap", io(() -> ConfigMapSyncStatus.decode(
        cluster.configMap().getMetadata().getAnnotations().get(ConfigMapSyncStatus.ANNOTATION)).orElseThrow().leader()
        .equals(followerId)));
    for (TestServer t : group) {
      assertEquals(both, servedKids(t, JWKS), "retired key a still served after the fail-over");
    }
    assertTrue(cluster.configMap().getData().get(ConfigMapCodec.STATE_KEY).contains(Keys.kidOf(a)),
        "the new leader merged onto the ConfigMap: a stays retired, not forgotten");
    polling.set(false);
    poller.join();
    assertNull(miss.get(), "a replica stopped serving during the fail-over");
    assertTrue(answers.get() > 10, "the poller ran: " + answers.get());
    assertEquals(2.0, leader.metric("kubeassume_leader_transitions_total"), "the old leader started and stopped once");
    assertEquals(0.0, leader.metric("kubeassume_leader"));

    // The partition heals: the old leader rejoins without a second leader and serves the leader's writes.
    leaderLink.heal();
    RSAKey c = Keys.rsa();
    cluster.serves(ISSUER, b, c);
    await(Duration.ofSeconds(60), "the healed replica serves the new leader's rotation",
        io(() -> servedKids(leader, JWKS).contains(Keys.kidOf(c))));
    // Exactly one leader; not necessarily still the follower: a process stalled past the lease duration (seen for
    // 20 s on a loaded machine: both replicas live in this JVM) loses the Lease, and either may take it back.
    awaitOneLeader(group);
  }

  /**
   * Only the leader reads the API server; its sync outcome rides on the ConfigMap, so a
   * follower's /readyz (and kubectl) shows the leader's errors, with one write per change.
   */
  @Test
  void followersShowTheLeadersSyncErrorsFromTheConfigMap() throws Exception {
    RSAKey a = Keys.rsa();
    cluster.serves(ISSUER, a);
    List<TestServer> group = replicas("replica-1", "replica-2");
    allServe(group, List.of(Keys.kidOf(a)));
    TestServer leader = awaitOneLeader(group);
    TestServer follower = group.stream().filter(t -> t != leader).findFirst().orElseThrow();
    String leaderId = identity(leader);
    await(WITHIN, "the follower shows the leader's healthy sync", io(() -> {
      JsonObject source = readyz(follower).getJsonObject("source");
      return leaderId.equals(source.getString("reportedBy")) && source.getBoolean("healthy");
    }));
    assertEquals(1.0, follower.metric("kubeassume_leader_sync_up"));
    // kubeassume_source_up agrees with /readyz on every replica: an alert on source_up == 0 never fires on a healthy follower.
    assertEquals(1.0, follower.metric(SOURCE_UP), "the follower reports the leader's healthy source");
    assertEquals(1.0, leader.metric(SOURCE_UP));

    cluster.drainRequests();
    double errorsBefore = leader.metric("kubeassume_sync_total{source=\"kubernetes\",status=\"error\"}");
    cluster.oidcFails(503);
    await(WITHIN, "the follower shows the leader's error", io(() -> {
      JsonObject source = readyz(follower).getJsonObject("source");
      return !source.getBoolean("healthy") && source.getJsonObject("lastError").getString("message").contains("503");
    }));
    await(WITHIN, "the leader keeps failing", io(() ->
        leader.metric("kubeassume_sync_total{source=\"kubernetes\",status=\"error\"}") >= errorsBefore + 3));
    assertEquals(1, MockCluster.configMapWrites(cluster.drainRequests()), "one status write for the change, none per poll");
    HttpResponse<String> ready = follower.get(follower.managementUri("/readyz"));
    assertEquals(200, ready.statusCode(), "still ready: the documents are served: " + ready.body());
    assertEquals(0.0, follower.metric("kubeassume_leader_sync_up"));
    assertEquals(0.0, follower.metric(SOURCE_UP), "the follower reports the leader's failing source, as /readyz does");
    assertEquals(0.0, leader.metric(SOURCE_UP));
    ConfigMapSyncStatus annotated = ConfigMapSyncStatus.decode(
        cluster.configMap().getMetadata().getAnnotations().get(ConfigMapSyncStatus.ANNOTATION)).orElseThrow();
    assertEquals(leaderId, annotated.leader());
    assertTrue(!annotated.healthy() && annotated.lastError().contains("503"), annotated.toString());

    cluster.serves(ISSUER, a);
    await(WITHIN, "the follower shows the recovery", io(() -> readyz(follower).getJsonObject("source").getBoolean("healthy")));
    assertEquals(1.0, follower.metric("kubeassume_leader_sync_up"));
    assertEquals(1.0, follower.metric(SOURCE_UP));
    for (TestServer t : group) {
      assertEquals(List.of(Keys.kidOf(a)), servedKids(t, JWKS));
    }
  }

  /**
   * A leader whose key source cannot be set up (its key directory is missing) retries, then
   * gives the Lease up; a replica that can read its keys leads instead.
   */
  @Test
  void aLeaderWhoseSyncLoopCannotStartGivesTheLeaseToAReplicaThatCan() throws Exception {
    Path good = Files.createDirectories(dir.resolve("good"));
    Files.copy(TestServer.DEV_PUBLIC_KEY, good.resolve("sa.pub"));
    TestServer broken = TestServer.start(cluster.replica(ISSUER, "replica-broken").source(SourceType.FILES)
        .keys(List.of(dir.resolve("not-mounted/sa.pub"))).build());
    replicas.add(broken);
    await(WITHIN, "the broken replica leads", () -> broken.server.leading());
    await(WITHIN, "its failed starts show on /readyz", io(() -> {
      JsonObject loop = readyz(broken).getJsonObject("leader").getJsonObject("syncLoop");
      return !loop.getBoolean("running") && loop.getInteger("startFailures") >= 1
          && loop.getJsonObject("lastError").getString("message").contains("not-mounted");
    }));
    assertTrue(broken.metric("kubeassume_sync_loop_start_failures_total") >= 1);
    assertEquals(0.0, broken.metric("kubeassume_sync_loop_running"));

    TestServer healthy = TestServer.start(cluster.replica(ISSUER, "replica-healthy").source(SourceType.FILES)
        .keys(List.of(good.resolve("sa.pub"))).build());
    replicas.add(healthy);
    await(Duration.ofSeconds(40), "the healthy replica leads", () -> healthy.server.leading());
    await(WITHIN, "both serve the healthy leader's keys", io(() -> servedKids(broken, JWKS).size() == 1
        && servedKids(broken, JWKS).equals(servedKids(healthy, JWKS))));
    assertTrue(broken.metric("kubeassume_leader_resignations_total") >= 1, "the broken leader resigned");
    assertEquals(1.0, healthy.metric("kubeassume_sync_loop_running"));
    assertEquals("replica-healthy", cluster.leaseHolder());
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
    // Past the renew deadline nobody leads: the leader cannot renew, the other cannot acquire.
    await(WITHIN, "the leader steps down", () -> group.stream().noneMatch(t -> t.server.leading()));
    for (TestServer t : group) {
      assertEquals(good, t.jwks("/clusters/ha"), "last good documents still served");
      HttpResponse<String> ready = t.get(t.managementUri("/readyz"));
      assertEquals(200, ready.statusCode(), "ready while documents exist: " + ready.body());
      JsonObject lease = new JsonObject(ready.body()).getJsonObject("leader");
      assertTrue(lease.getJsonObject("lastError").getString("message").contains("Connection refused")
          && !lease.getBoolean("leaseReachable"), "readiness says why nobody leads: " + lease);
    }
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
    // The ConfigMap holds only the leader's status: no documents, and the reason for kubectl and the followers.
    await(WITHIN, "the mismatch is recorded on the ConfigMap", () -> cluster.configMap() != null);
    ConfigMap cm = cluster.configMap();
    assertTrue(cm.getData() == null || cm.getData().isEmpty(), "no documents written: " + cm.getData());
    ConfigMapSyncStatus status = ConfigMapSyncStatus.decode(cm.getMetadata().getAnnotations()
        .get(ConfigMapSyncStatus.ANNOTATION)).orElseThrow();
    assertTrue(!status.healthy() && status.lastError().contains(apiServerIssuer), status.toString());
    TestServer follower = group.stream().filter(t -> t != leader).findFirst().orElseThrow();
    await(WITHIN, "the follower shows the leader's mismatch", io(() -> {
      HttpResponse<String> r = follower.get(follower.managementUri("/readyz"));
      return r.statusCode() == 503 && r.body().contains(apiServerIssuer) && r.body().contains("\"reportedBy\":\"replica-");
    }));
    for (TestServer t : group) {
      assertEquals(503, t.get(t.publicUri(JWKS)).statusCode(), "nothing published");
      assertEquals(0.0, t.metric("kubeassume_configmap_rejected_total"), "a status-only ConfigMap is not invalid");
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
