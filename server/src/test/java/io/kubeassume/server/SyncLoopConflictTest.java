package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.KeyRecord;
import io.kubeassume.merge.MergeState;
import io.kubeassume.source.KeySource;
import io.kubeassume.store.ConfigMapCodec;
import io.kubeassume.store.ConfigMapMetrics;
import io.kubeassume.store.ConfigMapStateStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leader's sync loop (KeySyncVerticle + ConfigMapStateStore) on the mock API server while
 * another writer changes the ConfigMap between the leader's read and its write. The write at the
 * stale resourceVersion is refused (409); the loop re-reads, re-merges and writes at the new
 * resourceVersion: never a blind overwrite.
 */
class SyncLoopConflictTest {
  static final IssuerUrl ISSUER = IssuerUrl.parse("https://oidc.example.com");
  static final String NS = "oidc";
  static final String NAME = "kubeassume-oidc";

  KubernetesMockServer apiServer;
  KubernetesClient client;
  Vertx vertx;
  SimpleMeterRegistry registry = new SimpleMeterRegistry();
  ConfigMapStateStore store;
  final AtomicReference<List<SigningKey>> sourceKeys = new AtomicReference<>();
  /** Runs (blocking, once) inside the next fetch: after the leader read the ConfigMap, before it writes. */
  final AtomicReference<Runnable> race = new AtomicReference<>();
  /** The sync loop's change-notice callback and its context, as a source's watcher would call it. */
  final AtomicReference<Runnable> changed = new AtomicReference<>();
  final AtomicReference<io.vertx.core.Context> loopContext = new AtomicReference<>();

  @BeforeEach
  void start() throws Exception {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
        new KubernetesMixedDispatcher(responses), false);
    apiServer.init();
    client = apiServer.createClient();
    vertx = Vertx.vertx();
    store = new ConfigMapStateStore(vertx, client, NS, NAME, ISSUER, "leader-1", new ConfigMapMetrics(registry),
        s -> {}, () -> {}, Clock.systemUTC());
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    client.close();
    apiServer.destroy();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static List<SigningKey> keys(RSAKey... keys) throws Exception {
    return KeyParser.parseJson("test", KubernetesSourceTest.jwks(keys));
  }

  /** A leader's sync loop whose source returns {@link #sourceKeys}, first running {@link #race} if set. */
  void startLeader() throws Exception {
    KeySource source = new KeySource() {
      @Override
      public String name() {
        return "racy";
      }

      @Override
      public void onChange(Runnable callback) {
        loopContext.set(Vertx.currentContext());
        changed.set(callback);
      }

      @Override
      public Future<List<SigningKey>> fetch() {
        Runnable edit = race.getAndSet(null);
        return edit == null ? Future.succeededFuture(sourceKeys.get()) : vertx.executeBlocking(() -> {
          edit.run();
          return sourceKeys.get();
        }, false);
      }
    };
    CurrentDocuments current = new CurrentDocuments();
    SyncHealth health = new SyncHealth();
    await(store.load());
    // A long poll interval: syncs run only when asked, so each step below is one sync.
    await(vertx.deployVerticle(new KeySyncVerticle(source, store, MergeState.EMPTY, new KeyMerger(Duration.ofHours(1), 100),
        ISSUER, current, health, new SyncMetrics(registry, "racy", current, health), Clock.systemUTC(),
        Duration.ofHours(1), false)));
  }

  /** The source reports a change (on the loop's event loop, as a watcher does): the loop reads it at once. */
  void syncNow() {
    loopContext.get().runOnContext(v -> changed.get().run());
  }

  ConfigMap configMap() {
    return client.configMaps().inNamespace(NS).withName(NAME).get();
  }

  static long rv(ConfigMap cm) {
    return Long.parseLong(cm.getMetadata().getResourceVersion());
  }

  void awaitCondition(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    TestServer.await(Duration.ofSeconds(15), what, condition);
  }

  /** The ConfigMap PUTs (updates) recorded since the last call. The mock consumes the bodies, so only the count is seen. */
  long puts() throws InterruptedException {
    long n = 0;
    RecordedRequest r;
    while ((r = apiServer.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      if ("PUT".equals(r.getMethod()) && r.getPath().contains("/configmaps/" + NAME)) {
        n++;
      }
    }
    return n;
  }

  double writes(String result) {
    return registry.get("kubeassume.configmap.writes").tag("result", result).counter().count();
  }

  MergeState stored() throws Exception {
    return ConfigMapCodec.decode("test", ISSUER, configMap().getData()).state();
  }

  @Test
  void anInvalidHandEditRacingTheLeaderIsRejectedAndTheNewKeyWrittenAtTheFreshResourceVersion() throws Exception {
    RSAKey a = Keys.rsa();
    RSAKey b = Keys.rsa();
    RSAKey sneaked = Keys.rsa();
    sourceKeys.set(keys(a));
    startLeader();
    awaitCondition("the leader created the ConfigMap", () -> configMap() != null);
    ConfigMap first = configMap();
    long rv0 = rv(first);
    puts();

    // Between the leader's read (rv0) and its write, someone publishes a key by hand in the JWKS only.
    AtomicReference<ConfigMap> handEdit = new AtomicReference<>();
    String handMadeJwks = KubernetesSourceTest.jwks(a, sneaked);
    race.set(() -> handEdit.set(client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder(first)
        .addToData(ConfigMapCodec.JWKS_KEY, handMadeJwks).build()).update()));
    sourceKeys.set(keys(a, b));
    syncNow();
    String kidB = Keys.kidOf(b);
    awaitCondition("the leader wrote b", () -> {
      ConfigMap cm = configMap();
      return cm.getData().get(ConfigMapCodec.STATE_KEY).contains(kidB) && rv(cm) > rv0 + 1;
    });

    long rv1 = rv(handEdit.get());
    ConfigMap result = configMap();
    assertTrue(rv0 < rv1 && rv1 < rv(result), "resourceVersions " + rv0 + " < " + rv1 + " < " + rv(result));
    // Besides the hand edit, two updates: the one at rv0 refused with 409 (the mock enforces resourceVersion, see
    // ConfigMapStoreConflictTest), then one at rv1 after the re-read and re-merge.
    assertEquals(3, puts(), "the hand edit, the leader's refused update, its update at the fresh resourceVersion");
    assertEquals(1.0, writes("conflict"));
    // The ConfigMap can show the update a moment before the writer has counted it.
    awaitCondition("the create, then the merged update, counted as written", () -> writes("written") == 2.0);
    assertEquals(1.0, registry.get("kubeassume.configmap.rejected").counter().count(), "the hand edit was rejected");

    MergeState state = stored(); // decodes: state and both documents agree again
    assertEquals(List.of(Keys.kidOf(a), Keys.kidOf(b)).stream().sorted().toList(),
        state.keys().stream().map(k -> k.key().kid()).sorted().toList());
    assertFalse(result.getData().get(ConfigMapCodec.JWKS_KEY).contains(Keys.kidOf(sneaked)), "the hand-made key is gone");
    JsonObject repaired = new JsonObject(result.getMetadata().getAnnotations().get(ConfigMapStateStore.REPAIRED_ANNOTATION));
    assertEquals(String.valueOf(rv1), repaired.getString("rejectedResourceVersion"));
    assertTrue(repaired.getString("reason").contains("jwks.json does not match"), repaired.encode());
    assertEquals("leader-1", repaired.getString("by"));
  }

  @Test
  void aValidWriteRacingTheLeaderIsMergedNotOverwritten() throws Exception {
    RSAKey a = Keys.rsa();
    RSAKey b = Keys.rsa();
    RSAKey x = Keys.rsa();
    sourceKeys.set(keys(a));
    startLeader();
    awaitCondition("the leader created the ConfigMap", () -> configMap() != null);
    ConfigMap first = configMap();
    long rv0 = rv(first);
    puts();

    // Another writer (a deposed leader that has not noticed yet) adds key x between the leader's read and write.
    MergeState theirs = new KeyMerger(Duration.ofHours(1), 100).merge(stored(), keys(a, x), Instant.now()).state();
    AtomicReference<ConfigMap> other = new AtomicReference<>();
    race.set(() -> other.set(client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder(first)
        .withData(ConfigMapCodec.encode(ISSUER, theirs)).build()).update()));
    sourceKeys.set(keys(a, b));
    syncNow();
    String kidB = Keys.kidOf(b);
    awaitCondition("the leader wrote b", () -> configMap().getData().get(ConfigMapCodec.STATE_KEY).contains(kidB));

    long rv1 = rv(other.get());
    assertEquals(3, puts(), "their update, ours refused at the stale resourceVersion, ours at theirs");
    assertTrue(rv0 < rv1 && rv1 < rv(configMap()), "resourceVersions grow: " + rv0 + ", " + rv1 + ", " + rv(configMap()));
    assertEquals(1.0, writes("conflict"));
    awaitCondition("the create and the merged update counted as written", () -> writes("written") == 2.0);
    MergeState state = stored();
    Map<String, KeyRecord> byKid = new HashMap<>();
    state.keys().forEach(k -> byKid.put(k.key().kid(), k));
    assertEquals(3, byKid.size(), "a, b and the other writer's x: " + byKid.keySet());
    assertNotNull(byKid.get(Keys.kidOf(x)), "the other writer's key was kept");
    assertNotNull(byKid.get(Keys.kidOf(x)).retiredAt(), "x is not in the leader's source: retired, inside the overlap window");
    assertEquals(0.0, registry.get("kubeassume.configmap.rejected").counter().count());
  }
}
