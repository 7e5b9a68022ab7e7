package io.kubeassume.fleet;

import io.kubeassume.document.Snapshot;
import io.kubeassume.server.IssuerEndpoint;
import io.kubeassume.server.SyncLoop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * One issuer of a fleet, from its spec to what the public port serves: its endpoint (the documents
 * it serves), its counters, and, while this replica writes (standalone, or the elected leader), its
 * sync loop (source → merger → store). All calls come from the fleet's one event loop.
 *
 * <p>Lifecycle: {@code CREATED} (serving whatever its store holds) → {@code SYNCING} (its loop runs)
 * ⇄ {@code CREATED} (leadership lost) → {@code STOPPED} (removed: no longer routed, loop stopped).
 */
public final class IssuerPipeline implements FleetMetrics.View {
  public enum Phase { CREATED, SYNCING, STOPPED }

  /** Builds the issuer's sync loop: its key source, its store (and the state to start from), its merger. */
  public interface LoopFactory {
    Future<SyncLoop> create(IssuerPipeline pipeline);
  }

  private final IssuerSpec spec;
  private final IssuerEndpoint endpoint;
  private final IssuerStats stats;
  private final LoopFactory loops;
  /** Held for the pipeline's whole life (a fleet's shared watch subscription); closed when it stops. */
  private final AutoCloseable resources;
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

  /** Starts the sync loop (on the caller's event loop); a failure to build it is reported in the issuer's health. */
  public void startSyncing(Vertx vertx) {
    if (phase != Phase.CREATED) {
      return;
    }
    phase = Phase.SYNCING;
    int started = ++generation;
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

  /** Stops the loop (leadership lost); the issuer stays served from its store. */
  public void stopSyncing() {
    generation++;
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
