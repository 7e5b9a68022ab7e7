package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubeassume.document.IssuerUrl;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.MergeState;
import io.kubeassume.merge.RotationEvent;
import io.kubeassume.source.KeySource;
import io.kubeassume.store.MemoryStateStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A source that announces every change (a fleet's Secret, fed by the watch) is read at start and on
 * each notice, never by a poll; a source that does not is polled. Both loops run side by side on one
 * shared timer queue, so the polled one shows that poll time has passed: no timing is asserted.
 */
class AnnouncedChangesTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Counts reads; always the same key. */
  private static final class CountingSource implements KeySource {
    final AtomicInteger reads = new AtomicInteger();
    final AtomicReference<Runnable> notice = new AtomicReference<>();
    final boolean announces;
    final List<SigningKey> keys;

    CountingSource(boolean announces) throws Exception {
      this.announces = announces;
      this.keys = KeyParser.parse("test", Keys.pem(Keys.rsa().toPublicKey()).getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public Future<List<SigningKey>> fetch() {
      reads.incrementAndGet();
      return Future.succeededFuture(keys);
    }

    @Override
    public void onChange(Runnable changed) {
      notice.set(changed);
    }

    @Override
    public boolean announcesEveryChange() {
      return announces;
    }
  }

  private static final SyncObserver NOTHING = new SyncObserver() {
    @Override
    public void synced(boolean ok, long nanos) {}

    @Override
    public void failed(Throwable cause) {}

    @Override
    public void rotated(RotationEvent event) {}
  };

  private void startLoop(CountingSource source, TimerQueue[] timers) {
    vertx.runOnContext(v -> {
      if (timers[0] == null) {
        timers[0] = new TimerQueue(vertx);
      }
      new SyncLoop(source, new MemoryStateStore(), MergeState.EMPTY, KeyMerger.of(Duration.ofHours(1), 10),
          IssuerUrl.parse("https://oidc.example.com/clusters/a"), new CurrentDocuments(), new SyncHealth(), NOTHING,
          Clock.systemUTC(), Duration.ofMillis(50), true, "a").timers(timers[0]).start(vertx);
    });
  }

  @Test
  void aSourceThatAnnouncesEveryChangeIsReadOnNoticesNotPolled() throws Exception {
    CountingSource announced = new CountingSource(true);
    CountingSource polled = new CountingSource(false);
    TimerQueue[] timers = new TimerQueue[1];
    startLoop(announced, timers);
    startLoop(polled, timers);

    TestServer.await(WITHIN, "the polled source was read at start and polled twice", () -> polled.reads.get() >= 3);
    assertEquals(1, announced.reads.get(), "read once at start, and no poll since");

    vertx.runOnContext(v -> announced.notice.get().run());
    TestServer.await(WITHIN, "a notice is read", () -> announced.reads.get() == 2);
    int after = polled.reads.get();
    TestServer.await(WITHIN, "the polled source was polled twice more", () -> polled.reads.get() >= after + 2);
    assertEquals(2, announced.reads.get(), "one read per notice, still no poll");
  }
}
