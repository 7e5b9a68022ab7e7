package io.kubeassume.server;

import io.vertx.core.Vertx;

/**
 * The timers of a sync loop (its next poll, the end of an overlap window, the end of a backoff):
 * Vert.x's own for a single issuer; for a fleet, one {@link TimerQueue} that every issuer's loop
 * shares, because a Vert.x timer costs about 160 bytes of heap and a fleet's leader holds one per
 * issuer. Call from the loop's context; tasks run there.
 */
public interface LoopTimers {
  /** A pending timer. Cancelling one that already ran or was cancelled does nothing. */
  interface Timer {
    void cancel();
  }

  Timer schedule(long delayMs, Runnable task);

  /** Each timer a Vert.x timer on the caller's context. */
  static LoopTimers of(Vertx vertx) {
    return (delayMs, task) -> {
      long id = vertx.setTimer(Math.max(1, delayMs), t -> task.run());
      return () -> vertx.cancelTimer(id);
    };
  }
}
