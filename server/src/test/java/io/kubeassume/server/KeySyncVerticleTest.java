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
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
}
