package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many timers on one Vert.x timer: run in deadline order, cancelled ones never, nothing kept once run or cancelled. */
class TimerQueueTest {
  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Runs {@code body} on the queue's context and waits for it. */
  private void on(Runnable body) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        body.run();
        done.complete(null);
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    });
    done.get(10, TimeUnit.SECONDS);
  }

  @Test
  void runsDueTimersInDeadlineOrderAndNeverACancelledOne() throws Exception {
    List<String> ran = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> last = new CompletableFuture<>();
    TimerQueue[] queue = new TimerQueue[1];
    on(() -> {
      queue[0] = new TimerQueue(vertx);
      queue[0].schedule(300, () -> ran.add("300"));
      LoopTimers.Timer cancelled = queue[0].schedule(100, () -> ran.add("cancelled"));
      queue[0].schedule(200, () -> ran.add("200"));
      // Sooner than the one the Vert.x timer is set for: the queue must re-arm for it.
      queue[0].schedule(20, () -> ran.add("20"));
      queue[0].schedule(400, () -> {
        ran.add("400");
        last.complete(null);
      });
      cancelled.cancel();
      cancelled.cancel(); // twice: nothing happens
      assertEquals(4, queue[0].size(), "a cancelled timer is removed at once");
    });
    last.get(10, TimeUnit.SECONDS);
    assertEquals(List.of("20", "200", "300", "400"), ran);
    on(() -> assertEquals(0, queue[0].size()));
  }

  @Test
  void aTaskMaySetTheNextTimerAndCloseDropsWhatIsPending() throws Exception {
    List<Integer> ran = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> third = new CompletableFuture<>();
    TimerQueue[] queue = new TimerQueue[1];
    on(() -> {
      queue[0] = new TimerQueue(vertx);
      Runnable[] tick = new Runnable[1];
      tick[0] = () -> {
        ran.add(ran.size() + 1);
        if (ran.size() == 3) {
          third.complete(null);
        } else {
          queue[0].schedule(10, tick[0]); // as a sync loop sets its next poll from the one that fired
        }
      };
      queue[0].schedule(10, tick[0]);
    });
    third.get(10, TimeUnit.SECONDS);
    assertEquals(List.of(1, 2, 3), ran);
    List<String> late = new CopyOnWriteArrayList<>();
    on(() -> {
      queue[0].schedule(50, () -> late.add("after close"));
      queue[0].close();
      queue[0].schedule(1, () -> late.add("scheduled after close"));
      assertEquals(0, queue[0].size());
    });
    // A Vert.x timer on the same event loop, due later than the dropped ones: they would have run before it.
    CompletableFuture<Void> waited = new CompletableFuture<>();
    on(() -> vertx.setTimer(200, t -> waited.complete(null)));
    waited.get(10, TimeUnit.SECONDS);
    assertEquals(List.of(), late);
  }
}
