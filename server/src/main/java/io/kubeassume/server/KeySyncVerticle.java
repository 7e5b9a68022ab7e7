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
import io.kubeassume.store.StateConflictException;
import io.kubeassume.store.StateStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of the state: source → merger → store (→ snapshot). Syncs run one at a time on
 * this verticle's event loop (blocking reads and writes happen on workers); a request that
 * arrives during a sync causes exactly one more. Triggers: start-up, a change reported by the
 * source, the poll timer (interval with jitter, backing off after failures), the moment a retired
 * key's overlap window ends, and a message on {@link #SYNC_ADDRESS} (the ConfigMap needs repair).
 * A failed sync changes nothing that is served.
 *
 * <p>With a file store this verticle also serves what it saved. With the ConfigMap store it runs
 * only on the elected leader, merges onto the newest state in the ConfigMap, and does not serve:
 * every replica serves what the ConfigMap holds.
 */
final class KeySyncVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(KeySyncVerticle.class);
  /** Local event-bus address: a message asks for a sync now. */
  static final String SYNC_ADDRESS = "kubeassume.sync.request";
  /** Attempts of one sync when the store reports a concurrent change. */
  static final int SAVE_ATTEMPTS = 3;

  private final KeySource source;
  private final StateStore store;
  private final KeyMerger merger;
  private final IssuerUrl issuer;
  private final CurrentDocuments current;
  private final SyncHealth health;
  private final SyncMetrics metrics;
  private final Clock clock;
  private final PollSchedule schedule;
  private final boolean serves;

  private MergeState state;
  private boolean running;
  private boolean pending;
  /** Set on undeploy (leadership lost, shutdown): a sync still in flight then writes, reports and schedules nothing. */
  private boolean stopped;
  private long expiryTimer = -1;
  private long pollTimer = -1;
  private String loggedError;

  KeySyncVerticle(KeySource source, StateStore store, MergeState initial, KeyMerger merger, IssuerUrl issuer,
      CurrentDocuments current, SyncHealth health, SyncMetrics metrics, Clock clock, Duration pollInterval) {
    this(source, store, initial, merger, issuer, current, health, metrics, clock, pollInterval, true);
  }

  /** @param serves false when the store serves what it holds (the ConfigMap store) */
  KeySyncVerticle(KeySource source, StateStore store, MergeState initial, KeyMerger merger, IssuerUrl issuer,
      CurrentDocuments current, SyncHealth health, SyncMetrics metrics, Clock clock, Duration pollInterval,
      boolean serves) {
    this.source = source;
    this.store = store;
    this.state = initial;
    this.merger = merger;
    this.issuer = issuer;
    this.current = current;
    this.health = health;
    this.metrics = metrics;
    this.clock = clock;
    this.schedule = new PollSchedule(pollInterval, () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());
    this.serves = serves;
  }

  @Override
  public Future<?> start() {
    if (serves && !state.keys().isEmpty()) {
      // The stored state is the last good document set: serve it while the first sync runs.
      publish(state);
    }
    source.onChange(this::requestSync);
    requestSync();
    return vertx.eventBus().consumer(SYNC_ADDRESS, message -> requestSync()).completion();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(expiryTimer);
    source.close();
    return Future.succeededFuture();
  }

  private void requestSync() {
    if (stopped) {
      return;
    }
    if (running) {
      pending = true;
      return;
    }
    running = true;
    vertx.cancelTimer(pollTimer);
    long started = System.nanoTime();
    fetchGuarded()
        .compose(keys -> mergeAndSave(keys, 1))
        .transform(result -> {
          if (stopped) {
            // Timers set now would outlive the undeploy; a former leader must not write the ConfigMap.
            return Future.succeededFuture(false);
          }
          if (result.succeeded()) {
            applied(result.result(), started);
          } else {
            failed(result.cause(), started);
          }
          // Still part of this sync, so a status write never races the next sync's state write.
          SyncHealth.Report report = health.report();
          return store.reportSync(result.succeeded(), report.failing(), report.consecutiveFailures())
              .transform(ignored -> Future.succeededFuture(result.succeeded()));
        })
        .onComplete(done -> {
          running = false;
          if (stopped) {
            return;
          }
          scheduleExpiry();
          schedulePoll(done.result());
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

  /**
   * Merges onto the newest stored state (another writer's, if the store is shared) and saves if
   * anything changed or the stored copy needs repair. A concurrent change re-merges onto it.
   */
  private Future<MergeOutcome> mergeAndSave(List<SigningKey> keys, int attempt) {
    if (stopped) {
      return Future.failedFuture(new IllegalStateException("the sync loop stopped before saving"));
    }
    MergeState base = store.latest().orElse(state);
    MergeOutcome outcome;
    try {
      outcome = merger.merge(base, keys, clock.instant());
    } catch (InvalidKeyException e) {
      return Future.failedFuture(e);
    }
    if (!outcome.stateChanged() && !store.needsWrite(outcome.state())) {
      return Future.succeededFuture(outcome);
    }
    return store.save(outcome.state()).map(outcome).recover(e -> {
      if (e instanceof StateConflictException && attempt < SAVE_ATTEMPTS) {
        log.info("{}; merging again (attempt {} of {})", e.getMessage(), attempt + 1, SAVE_ATTEMPTS);
        return mergeAndSave(keys, attempt + 1);
      }
      return Future.failedFuture(new KeySourceException("cannot save state to " + store.describe() + ": " + e.getMessage(), e));
    });
  }

  private void schedulePoll(boolean succeeded) {
    vertx.cancelTimer(pollTimer);
    Duration next = succeeded ? schedule.afterSuccess() : schedule.afterFailures(health.report().consecutiveFailures());
    pollTimer = vertx.setTimer(next.toMillis(), id -> requestSync());
  }

  private void applied(MergeOutcome outcome, long started) {
    state = outcome.state();
    for (RotationEvent event : outcome.events()) {
      metrics.rotated(event);
      log.info("rotation {}: kid {}", event.type().label(), event.kid());
    }
    if (serves && (outcome.documentsChanged() || current.snapshot().isEmpty())) {
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
    metrics.failed(cause);
    if (!error.equals(loggedError)) {
      // Logged once per distinct error: a broken key file or a down API server must not flood the log every poll.
      String serving = current.snapshot().map(s -> "still serving revision " + s.revision()).orElse("nothing served yet");
      log.warn("key sync from {} failed, {}; retrying with backoff: {}", source.name(), serving, error);
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
