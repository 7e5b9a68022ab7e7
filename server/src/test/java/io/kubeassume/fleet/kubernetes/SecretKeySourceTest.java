package io.kubeassume.fleet.kubernetes;

import static io.kubeassume.fleet.kubernetes.ListWatchTest.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.kubeassume.fleet.IssuerSpec;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.merge.KeyRecord;
import io.kubeassume.source.KeySource;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Secret-sourced issuer's keys, fed by the one Secret watch against fabric8's mock API server in
 * CRUD mode: parsed as each version arrives, kept as keys (one instance per key shared with what is
 * served), refused when an item holds a private key, and a change notice only when the keys change.
 */
class SecretKeySourceTest {
  private static final String NS = "team-a";

  private KubernetesMockServer apiServer;
  private KubernetesClient client;
  private SecretWatch watch;
  private Vertx vertx;

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
    if (watch != null) {
      watch.close();
    }
    client.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ListWatchTest.destroy(apiServer);
  }

  private static PublicKey rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair().getPublic();
  }

  private static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
  }

  private void secret(Map<String, String> items) {
    client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("keys").endMetadata()
        .withStringData(items).build()).createOr(r -> r.update());
  }

  private static List<SigningKey> fetch(KeySource source) throws Exception {
    CompletableFuture<List<SigningKey>> result = new CompletableFuture<>();
    source.fetch().onComplete(done -> {
      if (done.succeeded()) {
        result.complete(done.result());
      } else {
        result.completeExceptionally(done.cause());
      }
    });
    return result.get(10, TimeUnit.SECONDS);
  }

  @Test
  void keepsTheServedInstanceOfAKeyAndHearsOnlyChangesOfTheKeys() throws Exception {
    PublicKey first = rsa();
    secret(Map.of("sa.pub", pem(first), "other", "unrelated"));
    // What the issuer serves already (decoded from its status): an identical key, parsed elsewhere.
    SigningKey served = KeyParser.parse("status", pem(first).getBytes(StandardCharsets.US_ASCII)).get(0);
    AtomicReference<List<KeyRecord>> serving = new AtomicReference<>(List.of(new KeyRecord(served, Instant.EPOCH, null)));
    watch = new SecretWatch(vertx, client, List.of(NS));
    SecretKeySource source = new SecretKeySource(vertx, new IssuerSpec.SecretItems(NS, "keys", List.of("sa.pub")), watch,
        serving::get);
    watch.start();
    KeySource reader = source.reader();
    AtomicInteger notices = new AtomicInteger();
    vertx.runOnContext(v -> reader.onChange(notices::incrementAndGet));

    eventually("the Secret was read", () -> fetchQuietly(reader) != null);
    List<SigningKey> keys = fetch(reader);
    assertEquals(1, keys.size());
    assertSame(served, keys.get(0), "the served instance is reused, not a second copy of the key");

    secret(Map.of("sa.pub", pem(first), "other", "changed, but not a named item"));
    PublicKey second = rsa();
    secret(Map.of("sa.pub", pem(first) + pem(second), "other", "changed"));
    eventually("the new key was parsed", () -> {
      List<SigningKey> now = fetchQuietly(reader);
      return now != null && now.size() == 2;
    });
    eventually("one notice for the key change", () -> notices.get() == 1);
    assertSame(served, fetch(reader).get(0), "an unchanged key keeps its instance across Secret versions");
    assertEquals(1, notices.get(), "a change of an item the issuer does not name is no change notice");
  }

  @Test
  void aPrivateKeyInANamedItemIsRefusedAndNothingIsKept() throws Exception {
    secret(Map.of("sa.key", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"));
    watch = new SecretWatch(vertx, client, List.of(NS));
    SecretKeySource source = new SecretKeySource(vertx, new IssuerSpec.SecretItems(NS, "keys", List.of("sa.key")), watch,
        List::of);
    watch.start();
    KeySource reader = source.reader();
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> fetch(reader));
    assertTrue(e.getCause().getMessage().contains("secret team-a/keys item sa.key"), e.getCause().getMessage());
    assertTrue(e.getCause().getMessage().toLowerCase(java.util.Locale.ROOT).contains("private"), e.getCause().getMessage());

    secret(Map.of("other", "x"));
    eventually("the missing item is reported", () -> {
      try {
        fetch(reader);
        return false;
      } catch (Exception missing) {
        return missing.getCause() != null && missing.getCause().getMessage().contains("has no item sa.key");
      }
    });
  }

  /** A read asked for before the watch's first list is answered from that list, not by a request of its own. */
  @Test
  void aFirstReadWaitsForTheWatchsListInsteadOfAskingForTheSecret() throws Exception {
    secret(Map.of("sa.pub", pem(rsa())));
    other("unrelated");
    while (apiServer.takeRequest(1, TimeUnit.MILLISECONDS) != null) {
      // the set-up's requests
    }
    watch = new SecretWatch(vertx, client, List.of(NS));
    SecretKeySource source = new SecretKeySource(vertx, new IssuerSpec.SecretItems(NS, "keys", List.of("sa.pub")), watch,
        List::of);
    KeySource reader = source.reader();
    CompletableFuture<List<SigningKey>> read = new CompletableFuture<>();
    reader.fetch().onComplete(r -> read.complete(r.succeeded() ? r.result() : null));
    watch.start();
    assertEquals(1, read.get(10, TimeUnit.SECONDS).size());
    List<String> requests = new java.util.ArrayList<>();
    io.fabric8.mockwebserver.http.RecordedRequest r;
    while ((r = apiServer.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      requests.add(r.getMethod() + " " + r.getPath());
    }
    assertTrue(requests.stream().noneMatch(q -> q.startsWith("GET /api/v1/namespaces/" + NS + "/secrets/keys")), requests.toString());
    assertTrue(requests.stream().anyMatch(q -> q.startsWith("GET /api/v1/namespaces/" + NS + "/secrets?limit=")), requests.toString());

    secret(Map.of("sa.pub", pem(rsa()) + pem(rsa())));
    eventually("the watch delivers the next version", () -> {
      List<SigningKey> now = fetchQuietly(reader);
      return now != null && now.size() == 2;
    });
  }

  private void other(String name) {
    client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName(name).endMetadata()
        .withStringData(Map.of("x", "y")).build()).create();
  }

  private static List<SigningKey> fetchQuietly(KeySource reader) {
    try {
      return fetch(reader);
    } catch (Exception e) {
      return null;
    }
  }
}
