package io.kubeassume.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.document.Snapshot;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.MergeState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two writers of one ConfigMap on the mock API server (CRUD mode): a stale resourceVersion is refused, never overwritten. */
class ConfigMapStoreConflictTest {
  static final IssuerUrl ISSUER = IssuerUrl.parse("https://oidc.example.com");

  KubernetesMockServer apiServer;
  KubernetesClient client;
  Vertx vertx;
  /** Each writer is a replica of its own, with its own metrics. */
  SimpleMeterRegistry registry = new SimpleMeterRegistry();
  SimpleMeterRegistry secondRegistry = new SimpleMeterRegistry();
  List<Snapshot> served = new ArrayList<>();

  @BeforeEach
  void start() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
    apiServer.init();
    client = apiServer.createClient();
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    client.close();
    apiServer.destroy();
  }

  ConfigMapStateStore store(SimpleMeterRegistry metrics) {
    return new ConfigMapStateStore(vertx, client, "oidc", "kubeassume-oidc", ISSUER, "test-writer", new ConfigMapMetrics(metrics),
        s -> {
          synchronized (served) {
            served.add(s);
          }
        }, () -> {}, Clock.systemUTC());
  }

  static MergeState merged(MergeState base, String pem) throws Exception {
    List<SigningKey> keys = KeyParser.parse("test", Files.readAllBytes(Path.of(pem)));
    return new KeyMerger(Duration.ofHours(1), 100).merge(base, keys, Instant.now()).state();
  }

  static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static String key(String name) {
    Path p = Path.of("").toAbsolutePath();
    while (!p.resolve("core/src/test/resources/keys").toFile().exists()) {
      p = p.getParent();
    }
    return p.resolve("core/src/test/resources/keys/" + name).toString();
  }

  @Test
  void aStaleResourceVersionIsRefusedAndReReadSoTheWriterMergesOntoTheOtherWrite() throws Exception {
    ConfigMapStateStore first = store(registry);
    ConfigMapStateStore second = store(secondRegistry);
    assertEquals(MergeState.EMPTY, await(first.load()));
    await(second.load());

    MergeState a = merged(MergeState.EMPTY, key("rsa3072-spki.pem"));
    await(first.save(a));
    assertEquals(1.0, registry.get("kubeassume.configmap.writes").tag("result", "written").counter().count());

    // second read before first wrote: its create must fail, not overwrite.
    MergeState b = merged(MergeState.EMPTY, key("ec256-spki.pem"));
    ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> await(second.save(b)));
    assertInstanceOf(StateConflictException.class, refused.getCause());
    assertEquals(1.0, secondRegistry.get("kubeassume.configmap.writes").tag("result", "conflict").counter().count());
    assertTrue(second.latest().orElseThrow().sameAs(a), "the conflict re-read the other writer's state");

    // Re-merged onto it, the save goes through at the fresh resourceVersion and keeps both keys.
    MergeState both = merged(second.latest().orElseThrow(), key("ec256-spki.pem"));
    await(second.save(both));
    assertEquals(2, both.keys().size());
    String rv = client.configMaps().inNamespace("oidc").withName("kubeassume-oidc").get().getMetadata().getResourceVersion();

    // first still holds the old resourceVersion: an update is refused as well.
    MergeState stale = merged(a, key("ec384-spki.pem"));
    ExecutionException refusedAgain = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> await(first.save(stale)));
    assertInstanceOf(StateConflictException.class, refusedAgain.getCause());
    assertEquals(rv, client.configMaps().inNamespace("oidc").withName("kubeassume-oidc").get().getMetadata().getResourceVersion(),
        "nothing was overwritten");
    assertTrue(first.latest().orElseThrow().sameAs(both));
    assertTrue(served.stream().anyMatch(s -> s.keyCount() == 2), "each valid write was served");
  }
}
