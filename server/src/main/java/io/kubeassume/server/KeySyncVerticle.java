package io.kubeassume.server;

import io.kubeassume.document.DocumentRenderer;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.document.Snapshot;
import io.kubeassume.keys.InvalidKeyException;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.MergeOutcome;
import io.kubeassume.merge.MergeState;
import io.kubeassume.merge.RotationEvent;
import io.kubeassume.source.KeySource;
import io.kubeassume.source.KeySourceException;
import io.kubeassume.store.StateStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of the served documents: source → merger → store → snapshot. Syncs run one at a
 * time on this verticle's event loop (blocking reads and writes happen on workers); a request
 * that arrives during a sync causes exactly one more. Triggers: start-up, a change reported by
 * the source, every poll interval, and the moment a retired key's overlap window ends.
 * A failed sync changes nothing that is served.
 */
final class KeySyncVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(KeySyncVerticle.class);

  private final KeySource source;
  private final StateStore store;
  private final KeyMerger merger;
  private final IssuerUrl issuer;
  private final CurrentDocuments current;
  private final SyncHealth health;
  private final SyncMetrics metrics;
  private final Clock clock;
  private final Duration pollInterval;

  private MergeState state;
  private boolean running;
  private boolean pending;
  private long expiryTimer = -1;
  private long pollTimer = -1;
  private String loggedError;

  KeySyncVerticle(KeySource source, StateStore store, MergeState initial, KeyMerger merger, IssuerUrl issuer,
      CurrentDocuments current, SyncHealth health, SyncMetrics metrics, Clock clock, Duration pollInterval) {
    this.source = source;
    this.store = store;
    this.state = initial;
    this.merger = merger;
    this.issuer = issuer;
    this.current = current;
    this.health = health;
    this.metrics = metrics;
    this.clock = clock;
    this.pollInterval = pollInterval;
  }

  @Override
  public Future<?> start() {
    if (!state.keys().isEmpty()) {
      // The stored state is the last good document set: serve it while the first sync runs.
      publish(state);
    }
    source.onChange(this::requestSync);
    pollTimer = vertx.setPeriodic(pollInterval.toMillis(), id -> requestSync());
    requestSync();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(expiryTimer);
    source.close();
    return Future.succeededFuture();
  }

  private void requestSync() {
    if (running) {
      pending = true;
      return;
    }
    running = true;
    long started = System.nanoTime();
    fetchGuarded()
        .compose(keys -> {
          try {
            MergeOutcome outcome = merger.merge(state, keys, clock.instant());
            return outcome.stateChanged() ? saved(outcome) : Future.succeededFuture(outcome);
          } catch (InvalidKeyException e) {
            return Future.failedFuture(e);
          }
        })
        .onComplete(result -> {
          running = false;
          if (result.succeeded()) {
            applied(result.result(), started);
          } else {
            failed(result.cause(), started);
          }
          scheduleExpiry();
          if (pending) {
            pending = false;
            requestSync();
          }
        });
  }

  /** A source that throws instead of failing its future must not wedge the loop with {@code running} set. */
  private Future<List<SigningKey>> fetchGuarded() {
    try {
      return source.fetch();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<MergeOutcome> saved(MergeOutcome outcome) {
    return store.save(outcome.state())
        .recover(e -> Future.failedFuture(new KeySourceException("cannot save state to " + store.describe() + ": " + e.getMessage(), e)))
        .map(outcome);
  }

  private void applied(MergeOutcome outcome, long started) {
    state = outcome.state();
    for (RotationEvent event : outcome.events()) {
      metrics.rotated(event);
      log.info("rotation {}: kid {}", event.type().label(), event.kid());
    }
    if (outcome.documentsChanged() || current.snapshot().isEmpty()) {
      publish(state);
    }
    health.succeeded(clock.instant());
    metrics.synced(true, System.nanoTime() - started);
    if (loggedError != null) {
      log.info("{} source recovered; serving revision {}", source.name(), state.revision());
      loggedError = null;
    }
  }

  private void publish(MergeState served) {
    Snapshot snapshot = DocumentRenderer.render(issuer, served);
    current.serve(snapshot);
    log.info("serving revision {} with {} key(s): {}", snapshot.revision(), snapshot.keyCount(), snapshot.kids());
  }

  private void failed(Throwable cause, long started) {
    String error = cause instanceof InvalidKeyException || cause instanceof KeySourceException
        ? cause.getMessage()
        : cause.toString();
    health.failed(error, clock.instant());
    metrics.synced(false, System.nanoTime() - started);
    if (!error.equals(loggedError)) {
      // Logged once per distinct error: a broken key file must not flood the log every poll.
      String serving = current.snapshot().map(s -> "still serving revision " + s.revision()).orElse("nothing served yet");
      log.warn("key sync from {} failed, {}: {}", source.name(), serving, error);
      loggedError = error;
    }
  }

  private void scheduleExpiry() {
    vertx.cancelTimer(expiryTimer);
    expiryTimer = -1;
    state.nextExpiry(merger.overlap()).ifPresent(at -> {
      long delay = Math.max(1, Duration.between(clock.instant(), at).toMillis() + 5);
      expiryTimer = vertx.setTimer(delay, id -> requestSync());
    });
  }
}
