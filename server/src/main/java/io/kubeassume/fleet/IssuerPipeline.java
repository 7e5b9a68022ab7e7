package io.kubeassume.fleet;

import io.kubeassume.document.Snapshot;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.merge.MergeState;
import io.kubeassume.server.IssuerEndpoint;
import io.kubeassume.server.SyncLoop;
import io.kubeassume.mirror.TargetStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One issuer of a fleet, from its spec to what the public port serves: its endpoint (the documents
 * it serves), its counters, and, while this replica writes (standalone, or the elected leader), its
 * sync loop (source → merger → store). All calls come from the fleet's one event loop.
 *
 * <p>Lifecycle: {@code CREATED} (serving whatever its store holds) → {@code SYNCING} (its loop runs)
 * ⇄ {@code CREATED} (leadership lost) → {@code STOPPED} (removed: no longer routed, loop stopped).
 */
public final class IssuerPipeline implements FleetMetrics.View {
  private static final Logger log = LoggerFactory.getLogger(IssuerPipeline.class);
  public enum Phase { CREATED, SYNCING, STOPPED }

  /** Builds the issuer's sync loop: its key source, its store (and the state to start from), its merger. */
  public interface LoopFactory {
    Future<SyncLoop> create(IssuerPipeline pipeline);
  }

  /** The issuer's mirrors ({@code spec.mirrors}), run where its loop runs: the writer publishes. */
  public interface Mirrors {
    /** Checks every target and starts publishing; fails naming the target that failed its check. */
    Future<Void> start();

    Future<Void> stop();

    List<TargetStatus> status();
  }

  private final IssuerSpec spec;
  private final IssuerEndpoint endpoint;
  private final IssuerStats stats;
  private final LoopFactory loops;
  /** Held for the pipeline's whole life (a fleet's shared watch subscription); closed when it stops. */
  private final AutoCloseable resources;
  /** Null without spec.mirrors. */
  private Mirrors mirrors;
  private Duration mirrorRetry = Duration.ofMinutes(5);
  /** The source's instance of a key identical to the one given (or that one): see {@link #shareKeys}. */
  private UnaryOperator<SigningKey> knownKeys = UnaryOperator.identity();
  private volatile String mirrorError;
  private long mirrorTimer = -1;
  private Vertx vertx;
  private Phase phase = Phase.CREATED;
  private SyncLoop loop;
  /** Bumped by every start or stop, so a loop that finishes building after a stop is dropped. */
  private int generation;

  public IssuerPipeline(IssuerSpec spec, IssuerEndpoint endpoint, IssuerStats stats, LoopFactory loops) {
    this(spec, endpoint, stats, loops, () -> { });
  }

  public IssuerPipeline(IssuerSpec spec, IssuerEndpoint endpoint, IssuerStats stats, LoopFactory loops,
      AutoCloseable resources) {
    this.spec = spec;
    this.endpoint = endpoint;
    this.stats = stats;
    this.loops = loops;
    this.resources = resources;
  }

  /** Publishes to {@code mirrors} while this replica syncs the issuer; a failed check is retried every {@code retry}. */
  public IssuerPipeline withMirrors(Mirrors mirrors, Duration retry) {
    this.mirrors = mirrors;
    this.mirrorRetry = retry;
    return this;
  }

  /** Where {@link #shareKeys} finds the instances the issuer's source holds. */
  public IssuerPipeline withKnownKeys(UnaryOperator<SigningKey> known) {
    this.knownKeys = known;
    return this;
  }

  /** {@code state} holding the source's instance of each key it has too: one copy of each key per issuer. */
  public MergeState shareKeys(MergeState state) {
    return state.withKeysFrom(knownKeys);
  }

  /** Starts the sync loop (on the caller's event loop); a failure to build it is reported in the issuer's health. */
  public void startSyncing(Vertx vertx) {
    if (phase != Phase.CREATED) {
      return;
    }
    this.vertx = vertx;
    phase = Phase.SYNCING;
    int started = ++generation;
    startMirrors(started);
    loops.create(this).onComplete(built -> {
      if (built.failed()) {
        stats.health().failedToStart(built.cause().getMessage(), java.time.Instant.now());
        return;
      }
      if (generation != started || phase != Phase.SYNCING) {
        built.result().stop();
        return;
      }
      loop = built.result();
      loop.start(vertx);
    });
  }

  private void startMirrors(int started) {
    if (mirrors == null) {
      return;
    }
    mirrors.start().onComplete(done -> {
      if (done.succeeded()) {
        if (mirrorError != null) {
          log.info("issuer {}: mirrors publishing again", spec.id());
        }
        mirrorError = null;
        if (generation != started) {
          mirrors.stop();
        }
        return;
      }
      String error = done.cause().getMessage();
      if (!error.equals(mirrorError)) {
        log.warn("issuer {}: mirrors not started: {}; trying again in {}", spec.id(), error,
            io.kubeassume.config.Durations.format(mirrorRetry));
      }
      mirrorError = error;
      if (generation == started && phase == Phase.SYNCING) {
        mirrorTimer = vertx.setTimer(mirrorRetry.toMillis(), t -> {
          mirrorTimer = -1;
          if (generation == started && phase == Phase.SYNCING) {
            startMirrors(started);
          }
        });
      }
    });
  }

  /** The mirrors' state for status and readiness: none, or each target's last publish, or why they did not start. */
  public List<TargetStatus> mirrorStatus() {
    return mirrors == null ? List.of() : mirrors.status();
  }

  /** Why the mirrors could not start (the last check failure), or null. */
  public String mirrorError() {
    return mirrorError;
  }

  public int mirrorTargets() {
    return spec.mirrors().size();
  }

  /** Stops the loop (leadership lost); the issuer stays served from its store. */
  public void stopSyncing() {
    generation++;
    if (vertx != null) {
      vertx.cancelTimer(mirrorTimer);
      mirrorTimer = -1;
    }
    if (mirrors != null && phase == Phase.SYNCING) {
      mirrors.stop();
    }
    if (loop != null) {
      loop.stop();
      loop = null;
    }
    if (phase == Phase.SYNCING) {
      phase = Phase.CREATED;
    }
  }

  /** Stops everything: the issuer is gone or replaced. */
  public void stop() {
    stopSyncing();
    phase = Phase.STOPPED;
    try {
      resources.close();
    } catch (Exception ignored) {
      // releasing a subscription cannot fail in a way that matters to anyone
    }
  }

  /** The loop, if running: the store asks it to repair. */
  public void repair() {
    if (loop != null) {
      loop.repair();
    }
  }

  public Phase phase() {
    return phase;
  }

  public IssuerSpec spec() {
    return spec;
  }

  public IssuerEndpoint endpoint() {
    return endpoint;
  }

  @Override
  public String id() {
    return spec.id();
  }

  @Override
  public IssuerStats stats() {
    return stats;
  }

  @Override
  public Snapshot served() {
    return endpoint.documents().snapshot().orElse(null);
  }

  @Override
  public boolean syncing() {
    return phase == Phase.SYNCING;
  }

  @Override
  public String state() {
    return served() != null ? "ready" : "not_ready";
  }
}
