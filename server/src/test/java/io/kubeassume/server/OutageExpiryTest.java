package io.kubeassume.server;

import static io.kubeassume.server.MockCluster.servedKids;
import static io.kubeassume.server.TestServer.await;
import static io.kubeassume.server.TestServer.io;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.MergeState;
import io.kubeassume.merge.StateCodec;
import io.kubeassume.store.ConfigMapCodec;
import io.kubeassume.store.ConfigMapSyncStatus;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A retired key's overlap window ends while the source is failing (issue 10, item 6). Before,
 * every expiry timer re-read the source: the expiry stayed in the past because a failed sync
 * never merged, so the timer re-armed at 1 ms, and one replica sent 7,650 requests to the API
 * server in 12 s while the retired key was never dropped. Now the key leaves on time without a
 * source read, and the failing source is read no faster than the backoff (1 s, 2 s, 4 s, 5 s
 * with a 1 s poll interval: at most four reads in any 8 s).
 *
 * <p>No race decides the outcome: the state (key a retired now, key b current) is in the store
 * before the server starts, and the source fails from the first read on.
 */
class OutageExpiryTest {
  static final String ISSUER = "http://127.0.0.1/clusters/outage";
  static final String JWKS = "/clusters/outage/openid/v1/jwks";
  static final Duration OVERLAP = Duration.ofSeconds(3);
  static final Duration WITHIN = Duration.ofSeconds(20);
  /** Long enough to hold the expiry and several backoff steps; it only bounds a count, it asserts no timing. */
  static final Duration WINDOW = Duration.ofSeconds(8);
  /** Reads the backoff allows in WINDOW (4), doubled for slack; the storm was hundreds. */
  static final int MAX_READS_IN_WINDOW = 8;
  static final Set<String> OIDC_PATHS = Set.of("/.well-known/openid-configuration", "/openid/v1/jwks");
  static final String OTHER_ISSUER = "https://kubernetes.default.svc.cluster.local";

  @TempDir
  Path dir;
  MockCluster cluster;
  final List<TestServer> servers = new ArrayList<>();
  RSAKey a;
  RSAKey b;

  @BeforeEach
  void keys() throws Exception {
    a = Keys.rsa();
    b = Keys.rsa();
  }

  @AfterEach
  void stopAll() throws Exception {
    for (TestServer t : servers) {
      t.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** a and b seen an hour ago; a retired now, so its window ends OVERLAP from now. */
  MergeState aRetiredNow() throws Exception {
    List<SigningKey> both = KeyParser.parseJson("test", KubernetesSourceTest.jwks(a, b));
    KeyMerger merger = new KeyMerger(OVERLAP, 100);
    Instant now = Instant.now();
    MergeState seen = merger.merge(MergeState.EMPTY, both, now.minus(Duration.ofHours(1))).state();
    return merger.merge(seen, List.of(both.get(1)), now).state();
  }

  /** The API server fails every OIDC read: with HTTP 503, or with another issuer in its discovery document. */
  void apiServerFails(String failure) throws Exception {
    if (failure.equals("503")) {
      cluster.oidcFails(503);
    } else {
      cluster.serves(OTHER_ISSUER, a, b);
    }
  }

  static long oidcRequests(MockCluster cluster) throws InterruptedException {
    return cluster.drainRequests().stream().filter(r -> OIDC_PATHS.contains(r.getPath())).count();
  }

  TestServer start(io.kubeassume.config.ServeConfig config) throws Exception {
    TestServer t = TestServer.start(config);
    servers.add(t);
    return t;
  }

  static double errors(TestServer t, String source) throws Exception {
    return t.metric("kubeassume_sync_total{source=\"" + source + "\",status=\"error\"}");
  }

  static JsonObject readySource(TestServer t) throws Exception {
    return new JsonObject(t.get(t.managementUri("/readyz")).body()).getJsonObject("source");
  }

  @ParameterizedTest(name = "API server failing with {0}")
  @ValueSource(strings = {"503", "issuer mismatch"})
  void oneReplicaDropsTheRetiredKeyOnTimeAndReadsTheFailingApiServerOnlyAsTheBackoffAllows(String failure) throws Exception {
    cluster = new MockCluster(dir);
    apiServerFails(failure);
    Path stateFile = dir.resolve("state.json");
    Files.write(stateFile, StateCodec.encode(aRetiredNow()));
    TestServer t = start(TestServer.kubernetesConfig(ISSUER, cluster.kubeconfig("replica-1")).stateFile(stateFile)
        .overlap(OVERLAP).pollInterval(Duration.ofSeconds(1)).build());
    await(WITHIN, "the first read failed", io(() -> errors(t, "kubernetes") >= 1));

    cluster.drainRequests();
    Thread.sleep(WINDOW.toMillis());
    long reads = oidcRequests(cluster);

    assertTrue(reads <= MAX_READS_IN_WINDOW, reads + " OIDC requests in " + WINDOW.toSeconds() + " s: a retry storm");
    await(WITHIN, "the retired key left the JWKS", io(() -> !servedKids(t, JWKS).contains(Keys.kidOf(a))));
    assertEquals(List.of(Keys.kidOf(b)), servedKids(t, JWKS));
    assertEquals(1.0, t.metric("kubeassume_rotation_total{type=\"key_expired\"}"));
    assertEquals(List.of(Keys.kidOf(b)), StateCodec.decode("state", Files.readAllBytes(stateFile)).keys().stream()
        .map(k -> k.kid()).toList(), "the expiry was saved");
    JsonObject source = readySource(t);
    assertFalse(source.getBoolean("healthy"), "an expiry is no sync of the source: " + source);
    assertNull(source.getString("lastSuccessfulSync"), "no read ever succeeded: " + source);
    assertTrue(source.getJsonObject("lastError").getString("message").contains(failure.equals("503") ? "503" : OTHER_ISSUER),
        source.encode());
    // Reads go on, with backoff.
    double errorsNow = errors(t, "kubernetes");
    await(WITHIN, "the source is read again", io(() -> errors(t, "kubernetes") > errorsNow));
  }

  @ParameterizedTest(name = "API server failing with {0}")
  @ValueSource(strings = {"503", "issuer mismatch"})
  void theLeaderDropsTheRetiredKeyFromTheConfigMapOnTimeAndReadsTheFailingApiServerOnlyAsTheBackoffAllows(String failure)
      throws Exception {
    cluster = new MockCluster(dir);
    apiServerFails(failure);
    cluster.client.configMaps().inNamespace(MockCluster.NAMESPACE).resource(new ConfigMapBuilder()
        .withNewMetadata().withName(MockCluster.CONFIGMAP).withNamespace(MockCluster.NAMESPACE).endMetadata()
        .withData(ConfigMapCodec.encode(IssuerUrl.parse(ISSUER), aRetiredNow())).build()).create();
    TestServer r1 = start(cluster.replica(ISSUER, "replica-1").overlap(OVERLAP).build());
    TestServer r2 = start(cluster.replica(ISSUER, "replica-2").overlap(OVERLAP).build());
    List<TestServer> group = List.of(r1, r2);
    await(WITHIN, "a leader is elected", () -> r1.server.leading() != r2.server.leading());
    // Summed over the replicas, so a change of leader on a busy machine changes nothing below.
    await(WITHIN, "the leader's first read failed", io(() -> sum(group, "kubeassume_sync_total{source=\"kubernetes\","
        + "status=\"error\"}") >= 1));

    cluster.drainRequests();
    Thread.sleep(WINDOW.toMillis());
    long reads = oidcRequests(cluster);

    assertTrue(reads <= MAX_READS_IN_WINDOW, reads + " OIDC requests in " + WINDOW.toSeconds() + " s: a retry storm");
    for (TestServer t : group) {
      await(WITHIN, "the retired key left every replica's JWKS", io(() -> servedKids(t, JWKS).equals(List.of(Keys.kidOf(b)))));
    }
    MergeState stored = ConfigMapCodec.decode("test", IssuerUrl.parse(ISSUER), cluster.configMap().getData()).state();
    assertEquals(List.of(Keys.kidOf(b)), stored.keys().stream().map(k -> k.kid()).toList(), "the expiry was written");
    ConfigMapSyncStatus status = ConfigMapSyncStatus.decode(
        cluster.configMap().getMetadata().getAnnotations().get(ConfigMapSyncStatus.ANNOTATION)).orElseThrow();
    assertFalse(status.healthy(), "the expiry's write does not report the failing source as healthy: " + status);
    assertEquals(1.0, sum(group, "kubeassume_rotation_total{type=\"key_expired\"}"));
    String errors = "kubeassume_sync_total{source=\"kubernetes\",status=\"error\"}";
    double errorsNow = sum(group, errors);
    await(WITHIN, "the source is read again", io(() -> sum(group, errors) > errorsNow));
  }

  static double sum(List<TestServer> group, String sample) throws Exception {
    double total = 0;
    for (TestServer t : group) {
      total += t.metric(sample);
    }
    return total;
  }

  @Test
  void theFilesSourceDropsTheRetiredKeyOnTimeAndIsReadOnlyAsTheBackoffAllows() throws Exception {
    Path keys = Files.createDirectories(dir.resolve("keys"));
    Files.writeString(keys.resolve("b.pub"), Keys.pem(b.toPublicKey()));
    // A private key next to it: every read of the directory fails.
    Files.copy(TestServer.DEV_PRIVATE_KEY, keys.resolve("sa.key"));
    Path stateFile = dir.resolve("state.json");
    Files.write(stateFile, StateCodec.encode(aRetiredNow()));
    TestServer t = start(TestServer.config(ISSUER, List.of(keys)).stateFile(stateFile).overlap(OVERLAP)
        .pollInterval(Duration.ofSeconds(1)).build());
    await(WITHIN, "the first read failed", io(() -> errors(t, "files") >= 1));

    double errorsBefore = errors(t, "files");
    Thread.sleep(WINDOW.toMillis());
    double reads = errors(t, "files") - errorsBefore;

    assertTrue(reads <= MAX_READS_IN_WINDOW, reads + " failed reads in " + WINDOW.toSeconds() + " s: a retry storm");
    await(WITHIN, "the retired key left the JWKS", io(() -> servedKids(t, JWKS).equals(List.of(Keys.kidOf(b)))));
    assertEquals(1.0, t.metric("kubeassume_rotation_total{type=\"key_expired\"}"));
    JsonObject source = readySource(t);
    assertFalse(source.getBoolean("healthy"), source.encode());
    assertTrue(source.getJsonObject("lastError").getString("message").contains("private key"), source.encode());

    // The operator removes the private key: the change is read at once, and b stays the only key.
    Files.delete(keys.resolve("sa.key"));
    await(WITHIN, "the source recovered", io(() -> readySource(t).getBoolean("healthy")));
    assertEquals(List.of(Keys.kidOf(b)), servedKids(t, JWKS));
  }
}
