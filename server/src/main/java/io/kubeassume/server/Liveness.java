package io.kubeassume.server;

import io.kubeassume.server.guard.Heartbeats;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * /healthz: alive while every event loop of the public port keeps beating. A loop that is blocked,
 * has died (an error escaped it) or is starved of CPU for longer than the limit means the process can
 * no longer serve its documents, and Kubernetes should restart it rather than leave it half-alive. The
 * default limit (10 s) is far above a GC pause or a busy moment on a loaded node, and far below how long
 * a broken pod should linger.
 */
final class Liveness {
  private final Heartbeats publicLoops;
  private final Duration limit;
  private final long limitNanos;
  private final LongSupplier nanoTime;

  Liveness(Heartbeats publicLoops, Duration limit, LongSupplier nanoTime) {
    this.publicLoops = publicLoops;
    this.limit = limit;
    this.limitNanos = limit.toNanos();
    this.nanoTime = nanoTime;
  }

  JsonObject check() {
    long now = nanoTime.getAsLong();
    int silent = publicLoops.silentLoop(now, limitNanos);
    if (silent < 0) {
      return new JsonObject().put("status", "ok");
    }
    long seconds = Duration.ofNanos(publicLoops.silentFor(silent, now)).toSeconds();
    return new JsonObject().put("status", "failing")
        .put("reason", "public port event loop " + silent + " has not run for " + seconds + " s (limit "
            + limit.toSeconds() + " s): it is blocked or dead and the documents may not be served; restart the process");
  }
}
