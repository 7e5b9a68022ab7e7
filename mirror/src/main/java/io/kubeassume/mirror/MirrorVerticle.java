package io.kubeassume.mirror;

import io.kubeassume.document.Snapshot;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies every new document set to the configured mirrors, and re-publishes the current one every
 * resync interval so a deleted or altered object is repaired.
 *
 * <p>Start-up checks each target (see {@link MirrorCheck}); a failure fails the deployment, and so
 * the server's start. After that, publish errors are logged once per distinct error, counted and
 * shown in {@link #status()}, and never stop anything: the next snapshot or resync tries again.
 *
 * <p>Threading: {@link #offer} may be called from any thread and only records the snapshot and
 * wakes this verticle; SDK calls run on a worker pool of this verticle, at most one publish per
 * target at a time. Snapshots offered while a publish runs coalesce: the target then publishes
 * once more, with the latest. Stopping waits for the running publishes, then closes the targets.
 */
public final class MirrorVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(MirrorVerticle.class);

  /** One configured mirror: where, and the publisher writing there (which owns the target's client). */
  public record Mirror(MirrorLocation location, SnapshotPublisher publisher) {
    public Mirror {
      Objects.requireNonNull(location, "location");
      Objects.requireNonNull(publisher, "publisher");
    }

    /** A bucket: its target's client and the document publisher writing to it. */
    public Mirror(MirrorLocation location, MirrorTarget target, DocumentPublisher documents) {
      this(location, new ObjectStorePublisher(location, target, documents));
    }
  }

  private final List<Lane> lanes = new ArrayList<>();
  private final Duration resync;
  private final Clock clock;
  private final AtomicReference<Snapshot> latest = new AtomicReference<>();
  private volatile Context home;
  private WorkerExecutor workers;
  private long resyncTimer = -1;

  public MirrorVerticle(List<Mirror> mirrors, Duration resync, MeterRegistry registry) {
    this(mirrors, resync, registry, Clock.systemUTC());
  }

  public MirrorVerticle(List<Mirror> mirrors, Duration resync, MeterRegistry registry, Clock clock) {
    this(mirrors, resync, registry, clock, null);
  }

  /** @param issuer a fleet issuer's id: its mirrors' series carry it as the {@code issuer} label; null for the single issuer */
  public MirrorVerticle(List<Mirror> mirrors, Duration resync, MeterRegistry registry, Clock clock, String issuer) {
    if (resync.isNegative() || resync.isZero()) {
      throw new IllegalArgumentException("resync must be positive");
    }
    this.resync = resync;
    this.clock = clock;
    for (Mirror m : mirrors) {
      lanes.add(new Lane(m, new MirrorMetrics(registry, m.location().toString(), issuer)));
    }
  }

  /** The mirrors' states, in configuration order; safe from any thread. */
  public List<TargetStatus> status() {
    List<TargetStatus> out = new ArrayList<>(lanes.size());
    for (Lane lane : lanes) {
      out.add(lane.status.get());
    }
    return out;
  }

  /**
   * Hands over a document set to publish. Cheap and non-blocking, callable from any thread (the
   * sync loop calls it when it swaps the served snapshot). An older revision than one already
   * offered is ignored.
   */
  public void offer(Snapshot snapshot) {
    latest.accumulateAndGet(snapshot, (cur, next) -> cur == null || next.revision() >= cur.revision() ? next : cur);
    Context c = home;
    if (c != null) {
      c.runOnContext(v -> publishAll());
    }
  }

  @Override
  public Future<?> start() {
    // A pool of our own: a hanging store must not starve the state file's or other blocking work.
    workers = vertx.createSharedWorkerExecutor("kubeassume-mirror-" + UUID.randomUUID(), Math.max(1, lanes.size()));
    List<Future<Void>> checks = new ArrayList<>();
    for (Lane lane : lanes) {
      Mirror m = lane.mirror;
      checks.add(workers.executeBlocking(() -> {
        m.publisher().check();
        return null;
      }, false));
    }
    // join, not all: all fails at the first failure while other checks still use their clients,
    // which closeTargets would then close under them, and it may report a later mirror's error.
    return Future.join(checks).<Void>mapEmpty().transform(ar -> {
      if (ar.failed()) {
        Throwable cause = firstCause(checks, ar.cause());
        return closeTargets().transform(ignored -> Future.<Void>failedFuture(cause));
      }
      for (Lane lane : lanes) {
        log.info("mirror {} checked: can read and write; publishing {}", lane.name, lane.mirror.publisher().describe());
      }
      home = context;
      resyncTimer = vertx.setPeriodic(resync.toMillis(), id -> publishAll());
      publishAll();
      return Future.<Void>succeededFuture();
    });
  }

  /** The first failed check's own exception, in configuration order (Future.join reports just one). */
  private static Throwable firstCause(List<Future<Void>> checks, Throwable fallback) {
    for (Future<Void> f : checks) {
      if (f.failed()) {
        return f.cause();
      }
    }
    return fallback;
  }

  @Override
  public Future<?> stop() {
    home = null;
    vertx.cancelTimer(resyncTimer);
    // A running publish still uses its target's client: close the clients once those are done
    // (each SDK call is bounded by the client's timeouts), not under them.
    List<Future<?>> running = new ArrayList<>(lanes.size());
    for (Lane lane : lanes) {
      // Only its end matters here: a last publish that failed was reported already and must not fail the undeploy.
      running.add(lane.inFlight.otherwiseEmpty());
    }
    // A publish that failed was counted and logged when it failed; stopping still succeeds.
    return Future.join(running).otherwiseEmpty().eventually(this::closeTargets).eventually(() -> workers.close())
        .andThen(done -> lanes.forEach(lane -> lane.metrics.close()));
  }

  private Future<Void> closeTargets() {
    return vertx.executeBlocking(() -> {
      for (Lane lane : lanes) {
        try {
          lane.mirror.publisher().close();
        } catch (Exception e) {
          log.debug("closing mirror {}: {}", lane.name, e.toString());
        }
      }
      return null;
    }, false);
  }

  private void publishAll() {
    for (Lane lane : lanes) {
      lane.publish();
    }
  }

  /** One target: at most one publish in flight; a request meanwhile causes exactly one more. Event-loop confined. */
  private final class Lane {
    final Mirror mirror;
    final MirrorMetrics metrics;
    final String name;
    final AtomicReference<TargetStatus> status;
    boolean running;
    boolean again;
    /** The running publish, or the last one; stop() waits for it. */
    Future<?> inFlight = Future.succeededFuture();
    String loggedError;
    List<String> loggedLeftOut = List.of();

    Lane(Mirror mirror, MirrorMetrics metrics) {
      this.mirror = mirror;
      this.metrics = metrics;
      this.name = mirror.location().toString();
      this.status = new AtomicReference<>(TargetStatus.initial(name));
    }

    void publish() {
      Snapshot snapshot = latest.get();
      if (snapshot == null || home == null) {
        return;
      }
      if (running) {
        again = true;
        return;
      }
      running = true;
      long started = System.nanoTime();
      inFlight = workers.executeBlocking(() -> mirror.publisher().publish(snapshot), false).onComplete(ar -> {
        running = false;
        long nanos = System.nanoTime() - started;
        if (ar.succeeded()) {
          succeeded(ar.result(), nanos);
        } else {
          failed(ar.cause(), nanos);
        }
        if (again) {
          again = false;
          publish();
        }
      });
    }

    private void succeeded(PublishResult r, long nanos) {
      String label = MirrorMetrics.label(r);
      java.time.Instant now = clock.instant();
      metrics.succeeded(label, r.revision(), nanos, now.toEpochMilli(), r.leftOut().size());
      status.updateAndGet(s -> s.succeeded(label, r.revision(), now, r.leftOut()));
      if (loggedError != null) {
        log.info("mirror {} recovered", name);
        loggedError = null;
      }
      if (!r.leftOut().equals(loggedLeftOut)) {
        // Once per distinct set: the same keys stay left out at every resync until they expire.
        if (!r.leftOut().isEmpty()) {
          log.warn("mirror {}: holds fewer keys than are served; left out {} retired key(s) {}, the oldest: tokens they "
              + "signed are refused there (shorten --overlap, or rotate less often)", name, r.leftOut().size(), r.leftOut());
        } else {
          log.info("mirror {}: holds every served key again", name);
        }
        loggedLeftOut = r.leftOut();
      }
      if (label.equals(MirrorMetrics.WRITTEN) && r.discovery() == ObjectOutcome.NONE) {
        log.info("mirror {}: published revision {} (its keys)", name, r.revision());
      } else if (label.equals(MirrorMetrics.WRITTEN)) {
        log.info("mirror {}: published revision {} (jwks {}, discovery {})", name, r.revision(),
            r.jwks().name().toLowerCase(java.util.Locale.ROOT), r.discovery().name().toLowerCase(java.util.Locale.ROOT));
      } else if (label.equals(MirrorMetrics.SUPERSEDED)) {
        log.info("mirror {}: holds a newer revision than {}; left as is", name, r.revision());
      }
    }

    private void failed(Throwable cause, long nanos) {
      String error = MirrorCheck.oneLine(cause instanceof MirrorException ? cause.getMessage() : cause.toString());
      metrics.failed(nanos);
      status.updateAndGet(s -> s.failed(error, clock.instant()));
      if (!error.equals(loggedError)) {
        // Once per distinct error: a store that is down must not flood the log every resync.
        log.warn("mirror {}: publish failed, will retry on the next change or resync: {}", name, error);
        loggedError = error;
      }
    }
  }
}
