package io.kubeassume.server;

import static io.kubeassume.server.TestServer.await;
import static io.kubeassume.server.TestServer.io;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import io.kubeassume.gcp.FakeIam;
import io.kubeassume.gcp.FakeGcp;
import io.kubeassume.gcp.UploadedJwks;
import io.kubeassume.mirror.MirrorLocation;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas ({@code --source kubernetes}, ConfigMap store, Lease) with one gcp-wif mirror: only the leader
 * writes to the provider; the follower reads and stands by; after a fail-over the new leader writes.
 */
class GcpWifHighAvailabilityTest {
  static final String ISSUER = "http://127.0.0.1/clusters/ha";
  static final Duration WITHIN = Duration.ofSeconds(20);
  static final String NAME = FakeGcp.PROVIDER;
  static final String TARGET = FakeGcp.TARGET;

  @TempDir
  Path dir;
  @TempDir
  Path credentials;
  MockCluster cluster;
  FakeGcp gcp;
  FakeIam iam;
  final List<TestServer> replicas = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    cluster = new MockCluster(dir);
    gcp = FakeGcp.start(credentials, ISSUER);
    iam = gcp.iam;
  }

  @AfterEach
  void stop() throws Exception {
    for (TestServer t : replicas) {
      try {
        t.close();
      } catch (Exception ignored) {
        // closed by the test already
      }
    }
    gcp.close();
    cluster.close();
  }

  private TestServer replica(String identity) throws Exception {
    TestServer t = TestServer.start(cluster.replica(ISSUER, identity)
        .mirrors(List.of(MirrorLocation.parse(TARGET)))
        .gcpIamEndpoint(iam.endpoint())
        .mirrorResync(Duration.ofSeconds(1))
        .build());
    replicas.add(t);
    return t;
  }

  private Set<String> uploaded() {
    List<java.util.Map<String, Object>> keys = iam.uploaded(NAME);
    return keys == null ? Set.of() : UploadedJwks.kids(keys);
  }

  private static JsonObject mirror(TestServer t) throws Exception {
    return new JsonObject(t.get(t.managementUri("/readyz")).body()).getJsonArray("mirrors").getJsonObject(0);
  }

  private static long revision(TestServer t) throws Exception {
    return new JsonObject(t.get(t.managementUri("/readyz")).body()).getLong("revision", -1L);
  }

  @Test
  void onlyTheLeaderWritesTheFollowerStandsByAndANewLeaderTakesOver() throws Exception {
    RSAKey a = Keys.rsa();
    RSAKey b = Keys.rsa();
    RSAKey c = Keys.rsa();
    String kidA = Keys.kidOf(a);
    String kidB = Keys.kidOf(b);
    String kidC = Keys.kidOf(c);
    cluster.serves(ISSUER, a);
    TestServer r1 = replica("replica-1");
    TestServer r2 = replica("replica-2");
    await(WITHIN, "a leader", () -> r1.server.leading() || r2.server.leading());
    TestServer leader = r1.server.leading() ? r1 : r2;
    TestServer follower = leader == r1 ? r2 : r1;
    await(WITHIN, "a uploaded", () -> uploaded().equals(Set.of(kidA)));

    // Hold the leader's write in the fake until the follower has decided about the same revision.
    CountDownLatch release = new CountDownLatch(1);
    iam.beforeHandle = r -> {
      if (r.method().equals("PATCH")) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    long patchesBefore = iam.count("PATCH ");
    cluster.serves(ISSUER, a, b);
    await(WITHIN, "both replicas serve b", io(() -> revision(follower) == revision(leader) && revision(leader) >= 2
        && t(leader).contains(kidB) && t(follower).contains(kidB)));
    long rotated = revision(leader);
    await(WITHIN, "the follower stands by for revision " + rotated, io(() -> "standby".equals(mirror(follower)
        .getString("lastResult")) && mirror(follower).getLong("lastPublishedRevision") == rotated));
    assertEquals(Set.of(kidA), uploaded(), "nothing written yet: the leader's write is held");
    release.countDown();
    await(WITHIN, "b uploaded", () -> uploaded().equals(Set.of(kidA, kidB)));
    await(WITHIN, "the follower sees it", io(() -> "unchanged".equals(mirror(follower).getString("lastResult"))));
    await(WITHIN, "the leader counts its write", io(
        () -> leader.metric("kubeassume_publish_total{result=\"written\",target=\"" + TARGET + "\"}") >= 2));
    assertEquals(patchesBefore + 1, iam.count("PATCH "), "one write for the rotation, by one replica");
    assertEquals(0.0, follower.metric("kubeassume_publish_total{result=\"written\",target=\"" + TARGET + "\"}"));
    assertTrue(follower.metric("kubeassume_publish_total{result=\"standby\",target=\"" + TARGET + "\"}") >= 1);
    assertTrue(mirror(follower).getBoolean("healthy"), "standing by is healthy");

    leader.close();
    await(WITHIN, "the follower takes over", () -> follower.server.leading());
    cluster.serves(ISSUER, b, c);
    await(WITHIN, "the new leader uploads c (and keeps retired a for the overlap)",
        () -> uploaded().equals(Set.of(kidA, kidB, kidC)));
    // The upload is seen before the publisher's confirming read: wait for its result.
    await(WITHIN, "the new leader counts its write", io(
        () -> follower.metric("kubeassume_publish_total{result=\"written\",target=\"" + TARGET + "\"}") >= 1));
  }

  private static String t(TestServer s) throws Exception {
    return s.jwks("/clusters/ha");
  }
}
