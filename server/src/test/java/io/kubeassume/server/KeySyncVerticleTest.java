package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.document.IssuerUrl;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.MergeState;
import io.kubeassume.source.KeySource;
import io.kubeassume.store.MemoryStateStore;
import io.kubeassume.store.StateStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The sync loop on its own, with a source that misbehaves. */
@ExtendWith(VertxExtension.class)
class KeySyncVerticleTest {

  @Test
  void aSourceThatThrowsIsReportedAndTheNextSyncStillRuns(Vertx vertx, VertxTestContext ctx) throws Exception {
    List<SigningKey> devKey = KeyParser.parse("sa.pub", Files.readAllBytes(TestServer.DEV_PUBLIC_KEY));
    AtomicInteger calls = new AtomicInteger();
    KeySource flaky = new KeySource() {
      @Override
      public String name() {
        return "flaky";
      }

      @Override
      public Future<List<SigningKey>> fetch() {
        if (calls.incrementAndGet() == 1) {
          throw new IllegalStateException("boom");
        }
        return Future.succeededFuture(devKey);
      }
    };
    CurrentDocuments current = new CurrentDocuments();
    SyncHealth health = new SyncHealth();
    KeySyncVerticle sync = new KeySyncVerticle(flaky, new MemoryStateStore(), MergeState.EMPTY,
        new KeyMerger(Duration.ofHours(1), 100), IssuerUrl.parse("https://oidc.example.com"), current, health,
        new SyncMetrics(new SimpleMeterRegistry(), "flaky", current, health), Clock.systemUTC(), Duration.ofMillis(200));

    vertx.deployVerticle(sync).onComplete(ctx.succeeding(id -> {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      vertx.setPeriodic(20, timer -> {
        if (current.snapshot().isPresent()) {
          vertx.cancelTimer(timer);
          ctx.verify(() -> {
            assertTrue(calls.get() >= 2, "the loop ran again after the throwing fetch");
            assertTrue(health.report().lastError().contains("boom"), health.report().lastError());
            assertEquals(devKey.get(0).kid(), current.snapshot().orElseThrow().kids().get(0));
          });
          ctx.completeNow();
        } else if (System.nanoTime() > deadline) {
          ctx.failNow("no documents served after a throwing fetch: the sync loop is wedged");
        }
      });
    }));
    assertTrue(ctx.awaitCompletion(10, TimeUnit.SECONDS));
  }

  /**
   * Leadership lost while a sync is in flight: the loop is undeployed, and the sync that completes
   * afterwards must neither write the store nor re-arm the poll timer (a former leader writing the
   * ConfigMap, and a zombie loop next to the new term's loop).
   */
  @Test
  void aSyncCompletingAfterUndeployWritesNothingAndSchedulesNothing(Vertx vertx) throws Exception {
    List<SigningKey> devKey = KeyParser.parse("sa.pub", Files.readAllBytes(TestServer.DEV_PUBLIC_KEY));
    AtomicInteger fetches = new AtomicInteger();
    AtomicReference<Promise<List<SigningKey>>> inFlight = new AtomicReference<>();
    AtomicReference<Context> loopContext = new AtomicReference<>();
    KeySource slow = new KeySource() {
      @Override
      public String name() {
        return "slow";
      }

      @Override
      public Future<List<SigningKey>> fetch() {
        fetches.incrementAndGet();
        loopContext.set(Vertx.currentContext());
        Promise<List<SigningKey>> p = Promise.promise();
        inFlight.set(p);
        return p.future();
      }
    };
    AtomicInteger saves = new AtomicInteger();
    AtomicInteger reports = new AtomicInteger();
    StateStore store = new StateStore() {
      @Override
      public String describe() {
        return "recording";
      }

      @Override
      public Future<MergeState> load() {
        return Future.succeededFuture(MergeState.EMPTY);
      }

      @Override
      public Future<Void> save(MergeState state) {
        saves.incrementAndGet();
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> reportSync(boolean succeeded, String error, long consecutiveFailures) {
        reports.incrementAndGet();
        return Future.succeededFuture();
      }
    };
    CurrentDocuments current = new CurrentDocuments();
    SyncHealth health = new SyncHealth();
    KeySyncVerticle sync = new KeySyncVerticle(slow, store, MergeState.EMPTY,
        new KeyMerger(Duration.ofHours(1), 100), IssuerUrl.parse("https://oidc.example.com"), current, health,
        new SyncMetrics(new SimpleMeterRegistry(), "slow", current, health), Clock.systemUTC(), Duration.ofMillis(20),
        false);

    String id = vertx.deployVerticle(sync).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(1, fetches.get(), "start-up syncs once");
    vertx.undeploy(id).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    // The fetch answers late, on the loop's own context (as a real source's result does).
    CompletableFuture<Void> completed = new CompletableFuture<>();
    loopContext.get().runOnContext(v -> {
      inFlight.get().complete(devKey);
      completed.complete(null);
    });
    completed.get(10, TimeUnit.SECONDS);
    // Far longer than the 20 ms poll interval: a re-armed timer would have fetched again by now.
    Thread.sleep(500);
    assertEquals(0, saves.get(), "a stopped loop saved the state");
    assertEquals(0, reports.get(), "a stopped loop reported its sync status");
    assertEquals(1, fetches.get(), "a stopped loop kept polling");
  }

  /**
   * A read that never ends (a FIFO opened between the type check and the open, a hung file system)
   * fails its sync after the read deadline, is reported, and the loop goes on with the next read.
   */
  @Test
  void aReadThatNeverEndsFailsAtTheDeadlineAndTheLoopGoesOn(Vertx vertx) throws Exception {
    List<SigningKey> devKey = KeyParser.parse("sa.pub", Files.readAllBytes(TestServer.DEV_PUBLIC_KEY));
    AtomicInteger fetches = new AtomicInteger();
    KeySource hangsOnce = new KeySource() {
      @Override
      public String name() {
        return "files";
      }

      @Override
      public Future<List<SigningKey>> fetch() {
        return fetches.incrementAndGet() == 1 ? Promise.<List<SigningKey>>promise().future() : Future.succeededFuture(devKey);
      }
    };
    CurrentDocuments current = new CurrentDocuments();
    SyncHealth health = new SyncHealth();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    KeySyncVerticle sync = new KeySyncVerticle(hangsOnce, new MemoryStateStore(), MergeState.EMPTY,
        new KeyMerger(Duration.ofHours(1), 100), IssuerUrl.parse("https://oidc.example.com"), current, health,
        new SyncMetrics(registry, "files", current, health), Clock.systemUTC(), Duration.ofMillis(200))
        .readDeadline(Duration.ofMillis(300));
    vertx.deployVerticle(sync).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    TestServer.await(Duration.ofSeconds(10), "documents served after the hung read", () -> current.snapshot().isPresent());
    assertTrue(fetches.get() >= 2, "read again after the deadline");
    assertTrue(health.report().lastError().startsWith("reading the files source did not finish within 300ms"),
        health.report().lastError());
    assertEquals(1.0, registry.get("kubeassume.sync").tag("status", "error").counter().count(), "the hung read counted once");
    assertEquals(devKey.get(0).kid(), current.snapshot().orElseThrow().kids().get(0));
  }

  /** A repair request (the ConfigMap turned invalid) writes the state back without reading the source. */
  @Test
  void aRepairRequestRewritesTheStateWithoutReadingTheSource(Vertx vertx) throws Exception {
    List<SigningKey> devKey = KeyParser.parse("sa.pub", Files.readAllBytes(TestServer.DEV_PUBLIC_KEY));
    AtomicInteger fetches = new AtomicInteger();
    KeySource counting = new KeySource() {
      @Override
      public String name() {
        return "counting";
      }

      @Override
      public Future<List<SigningKey>> fetch() {
        fetches.incrementAndGet();
        return Future.succeededFuture(devKey);
      }
    };
    AtomicInteger saves = new AtomicInteger();
    AtomicInteger rewrites = new AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean damaged = new java.util.concurrent.atomic.AtomicBoolean();
    StateStore store = new StateStore() {
      @Override
      public String describe() {
        return "repairable";
      }

      @Override
      public Future<MergeState> load() {
        return Future.succeededFuture(MergeState.EMPTY);
      }

      @Override
      public Future<Void> save(MergeState state) {
        saves.incrementAndGet();
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> rewrite(MergeState state) {
        rewrites.incrementAndGet();
        damaged.set(false);
        return Future.succeededFuture();
      }

      @Override
      public boolean needsWrite(MergeState state) {
        return damaged.get();
      }
    };
    CurrentDocuments current = new CurrentDocuments();
    SyncHealth health = new SyncHealth();
    KeySyncVerticle sync = new KeySyncVerticle(counting, store, MergeState.EMPTY, new KeyMerger(Duration.ofHours(1), 100),
        IssuerUrl.parse("https://oidc.example.com"), current, health,
        new SyncMetrics(new SimpleMeterRegistry(), "counting", current, health), Clock.systemUTC(), Duration.ofHours(1));
    vertx.deployVerticle(sync).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    TestServer.await(Duration.ofSeconds(10), "first sync saved", () -> saves.get() == 1);

    damaged.set(true);
    vertx.eventBus().publish(KeySyncVerticle.SYNC_ADDRESS, null);
    TestServer.await(Duration.ofSeconds(10), "the state written back", () -> rewrites.get() == 1);
    assertEquals(1, fetches.get(), "the repair read nothing from the source");
    assertEquals(1, saves.get(), "and saved nothing as a sync");
  }

  /**
   * The API server and the store both down while a retired key's window has ended: the loop
   * neither reads the source nor writes the store faster than the backoff, whatever the expiry
   * timer does (before, it re-read the source every few milliseconds).
   */
  @Test
  void aFailingSourceAndAFailingStoreAreBothTriedOnlyAsTheBackoffAllows(Vertx vertx) throws Exception {
    List<SigningKey> keys = KeyParser.parseJson("test", KubernetesSourceTest.jwks(Keys.rsa(), Keys.rsa()));
    KeyMerger merger = new KeyMerger(Duration.ofSeconds(1), 100);
    java.time.Instant longAgo = java.time.Instant.now().minus(Duration.ofHours(1));
    MergeState expired = merger.merge(merger.merge(MergeState.EMPTY, keys, longAgo).state(), List.of(keys.get(1)),
        longAgo.plusSeconds(1)).state();
    AtomicInteger fetches = new AtomicInteger();
    KeySource down = new KeySource() {
      @Override
      public String name() {
        return "down";
      }

      @Override
      public Future<List<SigningKey>> fetch() {
        fetches.incrementAndGet();
        return Future.failedFuture(new io.kubeassume.source.KeySourceException("API server answered HTTP 503"));
      }
    };
    AtomicInteger writes = new AtomicInteger();
    StateStore refusing = new StateStore() {
      @Override
      public String describe() {
        return "refusing";
      }

      @Override
      public Future<MergeState> load() {
        return Future.succeededFuture(expired);
      }

      @Override
      public Future<Void> save(MergeState state) {
        writes.incrementAndGet();
        return Future.failedFuture("HTTP 503");
      }
    };
    CurrentDocuments current = new CurrentDocuments();
    SyncHealth health = new SyncHealth();
    KeySyncVerticle sync = new KeySyncVerticle(down, refusing, expired, merger, IssuerUrl.parse("https://oidc.example.com"),
        current, health, new SyncMetrics(new SimpleMeterRegistry(), "down", current, health), Clock.systemUTC(),
        Duration.ofSeconds(1));
    vertx.deployVerticle(sync).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    TestServer.await(Duration.ofSeconds(10), "the expiry was tried", () -> writes.get() >= 1);

    // Backoff 1 s, 2 s, 4 s: in any 3.5 s at most 3 tries of each kind; the expiry timer alone used to fire every ms.
    int fetchesBefore = fetches.get();
    int writesBefore = writes.get();
    Thread.sleep(3500);
    assertTrue(fetches.get() - fetchesBefore <= 4, (fetches.get() - fetchesBefore) + " reads of a failing source in 3.5 s");
    assertTrue(writes.get() - writesBefore <= 4, (writes.get() - writesBefore) + " writes to a failing store in 3.5 s");
    assertTrue(health.report().failing() != null, "the failure shows");
    assertEquals(2, current.snapshot().orElseThrow().keyCount(), "nothing saved, so the stored documents stay served");
  }
}
