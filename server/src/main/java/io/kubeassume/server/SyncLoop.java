package io.kubeassume.server;

import io.kubeassume.config.Durations;
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
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One issuer's writer of the state: source → merger → store (→ snapshot). Runs one thing at a time
 * on the event loop it was started on (blocking reads and writes happen on workers); what to run next, and
 * when, is {@link SyncTriggers}' decision. Two kinds of run:
 *
 * <ul>
 *   <li>a <b>read</b>: read the source, merge onto the stored state, save if anything changed (or
 *       the stored copy needs repair), serve. Triggers: start-up, the poll timer
 *       ({@code --poll-interval} ±10% after a success; none for a source that
 *       {@linkplain KeySource#announcesEveryChange announces every change}, a fleet's Secret), and a
 *       change notice from the source (the files source's directory watcher, the Secret watch), which
 *       reads at once even during a backoff because it carries new content. A read still unfinished after {@link #READ_DEADLINE} fails (a hung
 *       file system, a FIFO swapped in while it was opened), so the loop never waits for ever.
 *   <li>a <b>write</b> of the state alone, with no source read ({@link KeyMerger#expire}): when the
 *       next retired key's overlap window ends, and on {@link #repair} (the
 *       ConfigMap store saw it turn invalid or disappear: it needs the state written back, not a
 *       source read). So a retirement ends on time while the source is failing, and a failing
 *       source is never read because a timer fired.
 * </ul>
 *
 * <p>Every failure backs off, reads and writes each on their own (1 s, 2 s, 4 s, ... up to five
 * poll intervals, {@link PollSchedule}); no timer, notice or message runs a failing kind sooner,
 * except a change notice for a read. A request that arrives during a run causes exactly one more.
 * A failed run changes nothing that is served. A write is no sync of the source: it neither marks
 * the source healthy nor counts as a successful sync; a failed write counts as a failed sync.
 *
 * <p>With a file store the loop also serves what it saved. With a shared store (the ConfigMap) it
 * runs only on the elected leader, merges onto the newest state in the store, and does not serve:
 * every replica serves what the store holds. The single issuer's loop runs in a {@link KeySyncVerticle};
 * a fleet's loops run on the fleet's contexts.
 */
public final class SyncLoop {
  private static final Logger log = LoggerFactory.getLogger(SyncLoop.class);
  /** Attempts of one sync when the store reports a concurrent change. */
  static final int SAVE_ATTEMPTS = 3;
  /** Longest a source read may take: far above a healthy read (ms for files, 3 × 10 s request timeouts for the API server). */
  static final Duration READ_DEADLINE = Duration.ofSeconds(60);
  /** Slack after an overlap ends before the expiry runs, so the merge's clock is past it. */
  private static final long EXPIRY_SLACK_MS = 5;

  /** A merge onto the stored state; reads may fail on bad keys. */
  private interface Merge {
    MergeOutcome apply(MergeState base) throws InvalidKeyException;
  }

  private final KeySource source;
  private final StateStore store;
  private final KeyMerger merger;
  private final IssuerUrl issuer;
  private final CurrentDocuments current;
  private final SyncHealth health;
  private final SyncObserver metrics;
  /** The issuer's id in a fleet (its log lines start "issuer ID: "), or null for the single issuer; the prefix is built per line, not kept. */
  private final String issuerId;
  private Vertx vertx;
  private final Clock clock;
  private final PollSchedule schedule;
  private final SyncTriggers triggers;
  private final boolean serves;
  private Duration readDeadline = READ_DEADLINE;

  private MergeState state;
  private boolean running;
  /** Set on undeploy (leadership lost, shutdown): a run still in flight then writes, reports and schedules nothing. */
  private boolean stopped;
  /** Vert.x's timers unless a fleet gives its shared queue ({@link #timers}). */
  private LoopTimers timers;
  private LoopTimers.Timer expiryTimer;
  private LoopTimers.Timer pollTimer;
  private LoopTimers.Timer wakeTimer;
  private String loggedError;

  /**
   * @param serves false when the store serves what it holds (the ConfigMap store)
   * @param issuerId the issuer's id in a fleet, named at the start of the loop's log lines; null for a single issuer
   */
  public SyncLoop(KeySource source, StateStore store, MergeState initial, KeyMerger merger, IssuerUrl issuer,
      CurrentDocuments current, SyncHealth health, SyncObserver metrics, Clock clock, Duration pollInterval,
      boolean serves, String issuerId) {
    this.source = source;
    this.store = store;
    this.state = initial;
    this.merger = merger;
    this.issuer = issuer;
    this.current = current;
    this.health = health;
    this.metrics = metrics;
    this.clock = clock;
    this.schedule = PollSchedule.jittered(pollInterval);
    this.triggers = new SyncTriggers(schedule);
    this.serves = serves;
    this.issuerId = issuerId;
  }

  /** A shorter read deadline, for tests of a source that never answers. */
  SyncLoop readDeadline(Duration deadline) {
    this.readDeadline = deadline;
    return this;
  }

  /** Runs the loop's timers on {@code shared} (a fleet's one queue, on the context the loop runs on). */
  public SyncLoop timers(LoopTimers shared) {
    this.timers = shared;
    return this;
  }

  private static void cancel(LoopTimers.Timer timer) {
    if (timer != null) {
      timer.cancel();
    }
  }

  /** Starts syncing; call on the context (event loop) the loop is to run on: every callback comes back there. */
  public void start(Vertx vertx) {
    this.vertx = vertx;
    if (timers == null) {
      timers = LoopTimers.of(vertx);
    }
    if (serves && !state.keys().isEmpty()) {
      // The stored state is the last good document set: serve it while the first sync runs.
      publish(state);
    }
    source.onChange(() -> {
      triggers.changed();
      kick();
    });
    triggers.read();
    kick();
  }

  /** Asks for the state to be written back (the store saw it damaged or deleted), without a source read. Call on the loop's context. */
  public void repair() {
    triggers.write();
    kick();
  }

  /** Stops the loop: a run in flight writes, reports and schedules nothing; the source is closed. Call on the loop's context. */
  public void stop() {
    stopped = true;
    cancel(pollTimer);
    cancel(expiryTimer);
    cancel(wakeTimer);
    source.close();
  }

  /** Starts what is wanted and allowed now, or sleeps until a backoff ends. Does nothing during a run: its end kicks again. */
  private void kick() {
    if (stopped || running) {
      return;
    }
    cancel(wakeTimer);
    wakeTimer = null;
    long now = System.nanoTime();
    Optional<SyncTriggers.Work> work = triggers.take(now);
    if (work.isEmpty()) {
      triggers.wakeAt().ifPresent(at -> wakeTimer = timers.schedule(
          Math.max(1, TimeUnit.NANOSECONDS.toMillis(at - now) + 1), () -> {
            wakeTimer = null;
            kick();
          }));
      return;
    }
    running = true;
    Future<Void> run = work.get() == SyncTriggers.Work.READ ? read() : write();
    run.onComplete(done -> {
      running = false;
      if (stopped) {
        return;
      }
      scheduleExpiry();
      kick();
    });
  }

  /** Reads the source, merges, saves, serves; then reports the outcome to the store. Never fails. */
  private Future<Void> read() {
    cancel(pollTimer);
    pollTimer = null;
    long started = System.nanoTime();
    return fetchWithDeadline()
        .compose(keys -> mergeAndSave(base -> merger.merge(base, keys, clock.instant()), true, 1))
        .transform(result -> {
          if (stopped) {
            // Timers set now would outlive the undeploy; a former leader must not write the ConfigMap.
            return Future.succeededFuture();
          }
          if (result.succeeded()) {
            applied(result.result(), started);
            triggers.readSucceeded();
            if (!source.announcesEveryChange()) {
              pollTimer = timers.schedule(schedule.afterSuccess().toMillis(), () -> {
                pollTimer = null;
                triggers.read();
                kick();
              });
            }
          } else {
            failed(result.cause(), started);
            triggers.readFailed(System.nanoTime());
          }
          // Still part of this run, so a status write never races the next run's state write.
          SyncHealth.Report report = health.report();
          return store.reportSync(result.succeeded(), report.failing(), report.consecutiveFailures())
              .transform(ignored -> Future.<Void>succeededFuture());
        });
  }

  /** Applies the ends of overlap windows and repairs the stored copy, without reading the source. Never fails. */
  private Future<Void> write() {
    long started = System.nanoTime();
    return mergeAndSave(base -> merger.expire(base, clock.instant()), false, 1).transform(result -> {
      if (stopped) {
        return Future.succeededFuture();
      }
      if (result.succeeded()) {
        take(result.result());
        triggers.writeSucceeded();
      } else {
        failed(result.cause(), started);
        triggers.writeFailed(System.nanoTime());
      }
      return Future.succeededFuture();
    });
  }

  /**
   * The source's keys, or a failure once {@link #readDeadline} has passed: a read that never ends
   * (a FIFO opened between the type check and the open, a hung file system) must not stop the loop.
   * Its late result is ignored.
   */
  private Future<List<SigningKey>> fetchWithDeadline() {
    Promise<List<SigningKey>> result = Promise.promise();
    // A Vert.x timer, not the shared queue: it lives only as long as the read, and most reads end at once.
    long timer = vertx.setTimer(readDeadline.toMillis(), id -> result.tryFail(new KeySourceException("reading the "
        + source.name() + " source did not finish within " + Durations.format(readDeadline) + "; it is read again with "
        + "backoff (files: a file system that does not answer, or a key file swapped for a FIFO as it was opened)")));
    fetchGuarded().onComplete(done -> {
      vertx.cancelTimer(timer);
      if (done.succeeded()) {
        result.tryComplete(done.result());
      } else {
        result.tryFail(done.cause());
      }
    });
    return result.future();
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
   *
   * @param read whether the merge holds a source read; a write without one is saved with
   *     {@link StateStore#rewrite}, and only if there is a state to write back
   */
  private Future<MergeOutcome> mergeAndSave(Merge merge, boolean read, int attempt) {
    if (stopped) {
      return Future.failedFuture(new IllegalStateException("the sync loop stopped before saving"));
    }
    MergeState base = store.latest().orElse(state);
    if (!read && base.keys().isEmpty()) {
      // Nothing was ever synced: there is nothing to expire, and nothing to repair the store with.
      return Future.succeededFuture(new MergeOutcome(base, List.of(), false, false));
    }
    MergeOutcome outcome;
    try {
      outcome = merge.apply(base);
    } catch (InvalidKeyException e) {
      return Future.failedFuture(e);
    }
    if (!outcome.stateChanged() && !store.needsWrite(outcome.state())) {
      return Future.succeededFuture(outcome);
    }
    Future<Void> saved = read ? store.save(outcome.state()) : store.rewrite(outcome.state());
    return saved.map(outcome).recover(e -> {
      if (e instanceof StateConflictException && attempt < SAVE_ATTEMPTS) {
        log.info("{}{}; merging again (attempt {} of {})", label(), e.getMessage(), attempt + 1, SAVE_ATTEMPTS);
        return mergeAndSave(merge, read, attempt + 1);
      }
      return Future.failedFuture(new KeySourceException("cannot save state to " + store.describe() + ": "
          + (e.getMessage() != null ? e.getMessage() : e.getClass().getName()), e));
    });
  }

  private String label() {
    return issuerId == null ? "" : "issuer " + issuerId + ": ";
  }

  /** A read's outcome: the new state is served, the source is healthy. */
  private void applied(MergeOutcome outcome, long started) {
    take(outcome);
    if (serves && !outcome.documentsChanged() && current.snapshot().isEmpty()) {
      publish(state);
    }
    health.succeeded(clock.instant());
    metrics.synced(true, System.nanoTime() - started);
    if (loggedError != null) {
      log.info("{}{} source recovered; serving revision {}", label(), source.name(), state.revision());
      loggedError = null;
    }
  }

  /** Takes a saved outcome in: its rotation events, and its documents if they changed. */
  private void take(MergeOutcome outcome) {
    state = outcome.state();
    for (RotationEvent event : outcome.events()) {
      metrics.rotated(event);
      log.info("{}rotation {}: kid {}", label(), event.type().label(), event.kid());
    }
    if (serves && (outcome.documentsChanged() || retirementNotServed())) {
      publish(state);
    }
  }

  /** A key retired without changing the documents: the served snapshot must still learn when it leaves (a metric). */
  private boolean retirementNotServed() {
    return current.snapshot().map(s -> !java.util.Objects.equals(s.oldestRetirement(), state.oldestRetirement().orElse(null)))
        .orElse(false);
  }

  private void publish(MergeState served) {
    Snapshot snapshot = DocumentRenderer.render(issuer, served);
    current.serve(snapshot);
    log.info("{}serving revision {} with {} key(s): {}", label(), snapshot.revision(), snapshot.keyCount(), snapshot.kids());
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
      log.warn("{}key sync from {} failed, {}; retrying with backoff: {}", label(), source.name(), serving, error);
      loggedError = error;
    }
  }

  /** Asks for a write when the next retired key's overlap window ends, or now if it has (the write backoff still applies). */
  private void scheduleExpiry() {
    cancel(expiryTimer);
    expiryTimer = null;
    state.nextExpiry(merger.overlap()).ifPresent(at -> {
      long delay = Duration.between(clock.instant(), at).toMillis() + EXPIRY_SLACK_MS;
      if (delay <= 0) {
        triggers.write();
        return;
      }
      expiryTimer = timers.schedule(delay, () -> {
        expiryTimer = null;
        triggers.write();
        kick();
      });
    });
  }
}
