package io.kubeassume.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the sync loop while this replica leads: deploys a fresh KeySyncVerticle when leadership
 * starts and undeploys it when it stops. Transitions are applied one after another on one
 * context, so a quick start-stop-start never leaves two loops running.
 *
 * <p>A leader whose loop cannot start (its key source cannot be set up: a missing key directory,
 * a broken mount) would otherwise hold the Lease and sync nothing. It retries with backoff
 * ({@code firstRetry}, doubling) and after {@link #START_ATTEMPTS} failed attempts in one term it
 * resigns: the Lease is released so another replica, perhaps without this replica's local
 * problem, can lead. A replica alone gets the Lease back after a pause and tries again, so a
 * cluster-wide cause is retried for ever, slowly, rather than given up.
 */
final class LeaderRole implements LeaderElection.Listener {
  private static final Logger log = LoggerFactory.getLogger(LeaderRole.class);
  /** Attempts to start the loop in one leadership term before resigning. */
  static final int START_ATTEMPTS = 4;

  private final Vertx vertx;
  private final Context context;
  private final Callable<Deployable> syncLoop;
  private final Duration firstRetry;
  private final Counter startFailures;
  private final Counter resignations;

  /** The deployment id of the running loop, or null; only touched on {@code context}. */
  private Future<String> deployed = Future.succeededFuture();
  /** Set once the server closes; only touched on {@code context}. */
  private boolean closed;
  /** Whether the loop should run (this replica leads); only touched on {@code context}. */
  private boolean wanted;
  /** Failed starts in the current term, how to resign it, and the pending retry; only touched on {@code context}. */
  private int termFailures;
  private LeaderElection.Resignation resignation;
  private long retryTimer = -1;

  // Read by /readyz and the gauge on other threads.
  private volatile boolean running;
  private volatile int failuresShown;
  private volatile String lastError;
  private volatile Instant lastErrorAt;

  LeaderRole(Vertx vertx, Callable<Deployable> syncLoop, Duration firstRetry, MeterRegistry registry) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.syncLoop = syncLoop;
    this.firstRetry = firstRetry;
    Gauge.builder("kubeassume.sync.loop.running", this, r -> r.running ? 1 : 0)
        .description("1 while this replica leads and its key sync loop runs").strongReference(true).register(registry);
    startFailures = Counter.builder("kubeassume.sync.loop.start.failures")
        .description("Times the leader's key sync loop failed to start (then retried, or leadership given up)")
        .register(registry);
    resignations = Counter.builder("kubeassume.leader.resignations")
        .description("Times this replica gave up the Lease because its sync loop would not start").register(registry);
  }

  @Override
  public void startedLeading(LeaderElection.Resignation resign) {
    context.runOnContext(v -> {
      resignation = resign;
      termFailures = 0;
      failuresShown = 0;
      step(true);
    });
  }

  @Override
  public void stoppedLeading() {
    context.runOnContext(v -> step(false));
  }

  /** For /readyz (the leader section): whether the loop runs and why it would not start. */
  @Override
  public JsonObject status() {
    JsonObject json = new JsonObject().put("running", running).put("startFailures", failuresShown);
    String error = lastError;
    if (error != null) {
      json.put("lastError", new JsonObject().put("message", error).put("at", String.valueOf(lastErrorAt)));
    }
    return json;
  }

  /** Stops the loop for good (server shutdown); completes once it is undeployed. */
  Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      step(false);
      closed = true;
      deployed.onComplete(ignored -> done.complete());
    });
    return done.future();
  }

  private void step(boolean lead) {
    if (closed) {
      return;
    }
    wanted = lead;
    if (!lead) {
      vertx.cancelTimer(retryTimer);
      retryTimer = -1;
    }
    deployed = deployed.transform(previous -> {
      String id = previous.succeeded() ? previous.result() : null;
      if (lead && id == null && wanted) {
        return deploy();
      }
      if (!lead && id != null) {
        running = false;
        return vertx.undeploy(id).transform(done -> Future.succeededFuture((String) null));
      }
      return Future.succeededFuture(id);
    });
  }

  private Future<String> deploy() {
    // Building the loop sets up its key source (file watches, stat calls): blocking, so on a worker.
    return vertx.executeBlocking(syncLoop, false).compose(vertx::deployVerticle).map(id -> {
      running = true;
      termFailures = 0;
      failuresShown = 0;
      if (lastError != null) {
        log.info("the sync loop started as leader after earlier failures");
        lastError = null;
      }
      return id;
    }).recover(e -> {
      startFailed(e);
      return Future.succeededFuture();
    });
  }

  /** On {@code context}: retry with backoff, or give the Lease up after {@link #START_ATTEMPTS}. */
  private void startFailed(Throwable e) {
    termFailures++;
    failuresShown = termFailures;
    lastError = e.getMessage() == null ? e.toString() : e.getMessage();
    lastErrorAt = Instant.now();
    startFailures.increment();
    if (termFailures < START_ATTEMPTS) {
      long delay = firstRetry.toMillis() << (termFailures - 1);
      log.warn("cannot start the sync loop as leader (attempt {} of {}), retrying in {} ms: {}", termFailures,
          START_ATTEMPTS, delay, lastError);
      retryTimer = vertx.setTimer(delay, id -> {
        retryTimer = -1;
        if (wanted) {
          step(true);
        }
      });
    } else {
      log.warn("cannot start the sync loop as leader ({} attempts): giving up the Lease so another replica can lead: {}",
          termFailures, lastError);
      resignations.increment();
      if (resignation != null) {
        resignation.resign(lastError);
      }
    }
  }
}
