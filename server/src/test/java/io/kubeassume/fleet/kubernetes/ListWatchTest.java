package io.kubeassume.fleet.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecretList;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubeassume.server.CuttableProxy;
import io.kubeassume.server.PagingDispatcher;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The paged list-then-watch against fabric8's mock API server in CRUD mode, behind a proxy that can
 * cut the connection: a page is fetched while the consumer takes the one before it, and none after;
 * the watch follows; a watch whose version expired (410) lists again and reports what was deleted
 * meanwhile; a list the API server refuses backs off and says why.
 */
class ListWatchTest {
  private static final String NS = "team-a";
  private static final int PAGE = 3;

  private KubernetesMockServer apiServer;
  private PagingDispatcher dispatcher;
  private KubernetesClient admin;
  private CuttableProxy proxy;
  private KubernetesClient client;
  private Vertx vertx;
  private ListWatch<Secret> watch;

  @BeforeEach
  void start() throws Exception {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    dispatcher = new PagingDispatcher(responses);
    apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
    apiServer.init();
    admin = apiServer.createClient();
    proxy = new CuttableProxy(URI.create(apiServer.url("/")));
    vertx = Vertx.vertx();
    client = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(proxy.url())
        .withNamespace(NS).withWatchReconnectInterval(100).build())
        .withHttpClientFactory(new Vertx5HttpClientFactory(vertx)).build();
  }

  @AfterEach
  void stop() throws Exception {
    if (watch != null) {
      watch.close();
    }
    client.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    proxy.close();
    admin.close();
    destroy(apiServer);
  }

  /**
   * Stops the mock server. fabric8's mock blocks its event loop for up to a minute when a watch
   * connection it serves breaks (WatchEventsListener waits for its executor there), and then cannot
   * close in 10 s: that is the test double's own shutdown, after every assertion has passed.
   */
  static void destroy(KubernetesMockServer server) {
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      if (!"Unable to close MockWebServer".equals(e.getMessage())) {
        throw e;
      }
    }
  }

  /** What the consumer was told, in order; pages can be held to prove the next one waits. */
  private static final class Recorder implements ListWatch.Consumer<Secret> {
    final List<List<String>> changes = new CopyOnWriteArrayList<>();
    final List<String> deletions = new CopyOnWriteArrayList<>();
    final Map<String, String> versions = new ConcurrentHashMap<>();
    final List<Promise<Void>> held = new CopyOnWriteArrayList<>();
    volatile boolean hold;
    volatile int lists;

    @Override
    public Future<Void> changed(List<Secret> objects) {
      changes.add(objects.stream().map(s -> s.getMetadata().getName()).toList());
      objects.forEach(s -> versions.put(s.getMetadata().getName(), s.getMetadata().getResourceVersion()));
      if (!hold) {
        return Future.succeededFuture();
      }
      Promise<Void> p = Promise.promise();
      held.add(p);
      return p.future();
    }

    @Override
    public void deleted(String namespace, String name) {
      deletions.add(namespace + "/" + name);
      versions.remove(name);
    }

    @Override
    public void listed() {
      lists++;
    }
  }

  private ListWatch<Secret> listWatch(Recorder recorder) {
    return new ListWatch<>(vertx, client, new ListWatch.Kind<>("Secrets in " + NS, "/api/v1/namespaces/" + NS + "/secrets",
        SecretList.class, client.secrets().inNamespace(NS), "check the RBAC", PAGE), recorder);
  }

  private void secret(String name, String value) {
    admin.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName(name).endMetadata()
        .withStringData(Map.of("sa.pub", value)).build()).createOr(r -> r.update());
  }

  private List<RecordedRequest> lists() throws InterruptedException {
    List<RecordedRequest> out = new ArrayList<>();
    RecordedRequest r;
    while ((r = apiServer.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      if ("GET".equals(r.getMethod()) && r.getPath().startsWith("/api/v1/namespaces/" + NS + "/secrets?limit=")) {
        out.add(r);
      }
    }
    return out;
  }

  /** Waits up to 30 s for {@code condition}, checking every 20 ms (also used by SecretKeySourceTest). */
  static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void listsAPageAtATimeOnlyAsFastAsTheConsumerTakesThemThenWatches() throws Exception {
    for (int i = 0; i < 7; i++) {
      secret("s" + i, "v1");
    }
    lists(); // the set-up's requests
    Recorder recorder = new Recorder();
    recorder.hold = true;
    watch = listWatch(recorder);
    vertx.runOnContext(v -> watch.start());

    eventually("the first page", () -> recorder.held.size() == 1);
    List<RecordedRequest> asked = new ArrayList<>(lists());
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (asked.size() < 2 && System.nanoTime() < end) {
      asked.addAll(lists());
      Thread.sleep(20);
    }
    Thread.sleep(300); // room for a third request, if the list did not wait for the consumer
    asked.addAll(lists());
    assertEquals(List.of(List.of("s0", "s1", "s2")), recorder.changes, "one page of " + PAGE + ", nothing more while held");
    assertEquals(2, asked.size(), "the next page is fetched while the first is held, and no page after it: " + asked);

    recorder.hold = false;
    recorder.held.get(0).complete();
    eventually("the whole list", () -> recorder.lists == 1);
    assertEquals(List.of(List.of("s0", "s1", "s2"), List.of("s3", "s4", "s5"), List.of("s6")), recorder.changes);
    List<RecordedRequest> pages = new ArrayList<>(asked.subList(1, 2));
    pages.addAll(lists());
    assertEquals(2, pages.size(), "two more pages: " + pages);
    assertTrue(pages.stream().allMatch(r -> r.getPath().contains("limit=" + PAGE) && r.getPath().contains("continue=")),
        pages.toString());
    assertTrue(watch.listedOnce());

    secret("s7", "v1");
    secret("s1", "v2");
    admin.secrets().inNamespace(NS).withName("s2").delete();
    eventually("the watch's events", () -> recorder.versions.containsKey("s7") && recorder.deletions.contains(NS + "/s2")
        && recorder.changes.contains(List.of("s1")));
    assertEquals(1, watch.lists(), "no list after the first: the watch carried the changes");
    assertNull(watch.lastError());
  }

  @Test
  void anExpiredWatchListsAgainAndReportsWhatWasDeletedWhileItWasAway() throws Exception {
    for (int i = 0; i < 5; i++) {
      secret("s" + i, "v1");
    }
    Recorder recorder = new Recorder();
    watch = listWatch(recorder);
    vertx.runOnContext(v -> watch.start());
    eventually("the first list", () -> recorder.lists == 1);
    secret("s0", "v2");
    eventually("the watch is up", () -> recorder.changes.contains(List.of("s0")));

    proxy.cut();
    admin.secrets().inNamespace(NS).withName("s3").delete(); // unseen: the watch is cut off
    secret("s4", "v2");
    String s4 = admin.secrets().inNamespace(NS).withName("s4").get().getMetadata().getResourceVersion();
    dispatcher.expireNextWatches(1); // the version it resumes from is gone by the time it reconnects
    int changesBefore = recorder.changes.size();
    proxy.heal();

    eventually("a second list", () -> recorder.lists == 2);
    assertEquals(List.of(NS + "/s3"), recorder.deletions, "the deletion the watch missed, found by the list");
    assertEquals(s4, recorder.versions.get("s4"), "the change the watch missed");
    List<List<String>> relisted = recorder.changes.subList(changesBefore, recorder.changes.size());
    assertEquals(List.of(List.of("s4")), relisted, "only what changed is handed over again, not every listed object");
    assertEquals(2, watch.lists());

    secret("s5", "v1");
    eventually("the new watch", () -> recorder.versions.containsKey("s5"));
  }

  @Test
  void aListWhoseContinueTokenExpiredStartsOverAndLosesNothing() throws Exception {
    for (int i = 0; i < 8; i++) { // three pages: the second is fetched while the first is held, the third after
      secret("s" + i, "v1");
    }
    Recorder recorder = new Recorder();
    recorder.hold = true;
    watch = listWatch(recorder);
    vertx.runOnContext(v -> watch.start());
    eventually("the first page", () -> recorder.held.size() == 1);
    // While the consumer holds the first page, the API server moves on: its snapshot (and so the token) expires.
    for (int i = 0; i < 9; i++) {
      secret("later" + i, "v1");
      admin.secrets().inNamespace(NS).list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build());
    }
    recorder.hold = false;
    recorder.held.get(0).complete();

    eventually("a whole list, started over", () -> recorder.lists == 1);
    assertEquals(2, watch.lists(), "the expired list, then one from the start");
    assertEquals(0, watch.failuresTotal(), "an expired list is no failure");
    for (int i = 0; i < 8; i++) {
      assertTrue(recorder.versions.containsKey("s" + i), "s" + i);
    }
    for (int i = 0; i < 9; i++) {
      assertTrue(recorder.versions.containsKey("later" + i), "later" + i);
    }
    assertEquals(List.of(), recorder.deletions);
    eventually("the watch is up", () -> watch.watching());
    assertNull(watch.lastError());
  }

  @Test
  void aRefusedListBacksOffSaysWhyAndRecovers() throws Exception {
    secret("s0", "v1");
    String path = "/api/v1/namespaces/" + NS + "/secrets?limit=" + PAGE;
    apiServer.expect().get().withPath(path).andReturn(403, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
        + "\"message\":\"secrets is forbidden: User cannot list resource secrets\",\"reason\":\"Forbidden\",\"code\":403}").times(3);
    lists();
    Recorder recorder = new Recorder();
    watch = listWatch(recorder);
    Promise<Void> first = Promise.promise();
    vertx.runOnContext(v -> watch.start().onComplete(first));
    eventually("the first attempt fails", () -> first.future().isComplete());
    assertTrue(first.future().failed());
    assertTrue(watch.lastError().contains("HTTP 403: secrets is forbidden"), watch.lastError());
    assertEquals(0, recorder.lists);
    assertTrue(watch.failuresTotal() >= 1, "counted");

    Thread.sleep(2_500);
    int attempts = lists().size();
    // Backoff 1 s, then 2 s (±10 %): at most three attempts in 2.5 s, where a retry without backoff makes hundreds.
    assertTrue(attempts >= 1 && attempts <= 3, attempts + " list requests in 2.5 s");

    eventually("the list succeeds once the API server allows it", () -> recorder.lists == 1);
    assertEquals(List.of(List.of("s0")), recorder.changes);
    eventually("the watch is up", () -> watch.watching());
    assertNull(watch.lastError());
  }

  @Test
  void theBackoffDoublesFromOneSecondToThirtyWithJitter() {
    assertEquals(1_000, ListWatch.backoffMillis(1, 0.5));
    assertEquals(2_000, ListWatch.backoffMillis(2, 0.5));
    assertEquals(16_000, ListWatch.backoffMillis(5, 0.5));
    assertEquals(30_000, ListWatch.backoffMillis(6, 0.5));
    assertEquals(30_000, ListWatch.backoffMillis(1_000, 0.5));
    assertEquals(900, ListWatch.backoffMillis(1, 0.0));
    assertEquals(33_000, ListWatch.backoffMillis(40, 1.0));
  }
}
