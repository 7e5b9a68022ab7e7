package io.kubeassume.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.kubeassume.config.ClusterSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lease-based leader election (fabric8's LeaderElector with a coordination.k8s.io/v1 LeaseLock).
 * The leader is the one replica that reads the API server and writes the ConfigMap. fabric8's
 * elector ends once leadership is lost; this class then campaigns again, so a replica that lost
 * the Lease (an API server outage longer than the renew deadline) can lead again later.
 * fabric8 runs the Lease calls and the callbacks on its own threads, never on an event loop.
 */
public final class LeaderElection {
  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  /** Told when this replica starts and stops leading; called on fabric8's threads. */
  public interface Listener {
    /** @param resign gives this term's leadership up (callable from any thread, once the term's work cannot be done) */
    void startedLeading(Resignation resign);

    void stoppedLeading();

    /** Extra detail for the leader section of /readyz, or null. */
    default JsonObject status() {
      return null;
    }
  }

  /** Gives up the current leadership term: the Lease is released and this replica waits before campaigning again. */
  public interface Resignation {
    void resign(String reason);
  }

  private final Vertx vertx;
  private final KubernetesClient client;
  private final ClusterSettings settings;
  private final Listener listener;
  private final Counter transitions;
  private final ObservedLeaseLock lock;

  private volatile boolean leading;
  private volatile String holder;
  private volatile boolean closed;
  private volatile CompletableFuture<?> campaign;
  /** Counts leadership terms, so a late resignation cannot end a newer term. */
  private volatile long term;
  /** Set by a resignation: the next campaign waits a lease duration, so another replica gets the Lease first. */
  private volatile boolean resigned;
  /** The timer of the next campaign after one ended, or -1. */
  private volatile long recampaign = -1;

  public LeaderElection(Vertx vertx, KubernetesClient client, ClusterSettings settings, Listener listener, MeterRegistry registry) {
    this.vertx = vertx;
    this.client = client;
    this.settings = settings;
    this.listener = listener;
    Gauge.builder("kubeassume.leader", this, e -> e.leading ? 1 : 0)
        .description("1 while this replica holds the Lease (reads the API server, writes the ConfigMap)")
        .strongReference(true).register(registry);
    transitions = Counter.builder("kubeassume.leader.transitions")
        .description("Times this replica started or stopped leading").register(registry);
    lock = new ObservedLeaseLock(new LeaseLock(settings.namespace(), settings.leaseName(), settings.identity()),
        settings.namespace() + "/" + settings.leaseName(), java.time.Clock.systemUTC());
  }

  /**
   * The pause after a campaign ended is over: campaign again, unless the server closed meanwhile (its worker
   * pool may be gone by then, and a Lease must not be taken on the way out).
   */
  void campaignAgain() {
    if (!closed) {
      start();
    }
  }

  /** Starts campaigning in the background. */
  public void start() {
    vertx.executeBlocking(() -> {
      campaign();
      return null;
    }, false);
  }

  private synchronized void campaign() {
    if (closed) {
      return;
    }
    CompletableFuture<?> running = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
        .withName(settings.leaseName())
        .withLock(lock)
        .withLeaseDuration(settings.leaseDuration())
        .withRenewDeadline(settings.renewDeadline())
        .withRetryPeriod(settings.retryPeriod())
        .withReleaseOnCancel()
        .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped, this::newLeader))
        .build()).build().start();
    campaign = running;
    running.whenComplete((ignored, error) -> {
      if (closed) {
        return;
      }
      if (leading) {
        stopped();
      }
      long pause = (resigned ? settings.leaseDuration() : settings.retryPeriod()).toMillis();
      log.info("leader election for lease {}/{} ended ({}); campaigning again in {} ms", settings.namespace(),
          settings.leaseName(), resigned ? "resigned" : error == null ? "leadership lost" : error.toString(), pause);
      resigned = false;
      recampaign = vertx.setTimer(pause, id -> campaignAgain());
    });
  }

  private void started() {
    leading = true;
    holder = settings.identity();
    long now = ++term;
    transitions.increment();
    log.info("{} is now the leader (lease {}/{}): reading the keys and writing the ConfigMap", settings.identity(),
        settings.namespace(), settings.leaseName());
    listener.startedLeading(reason -> resign(now, reason));
  }

  /** Releases the Lease of term {@code of} (if still held) on a worker thread; campaigning resumes after a lease duration. */
  private void resign(long of, String reason) {
    vertx.executeBlocking(() -> {
      CompletableFuture<?> running;
      synchronized (this) {
        if (closed || !leading || term != of) {
          return null;
        }
        resigned = true;
        running = campaign;
      }
      log.warn("{} gives up the lease {}/{}: {}", settings.identity(), settings.namespace(), settings.leaseName(), reason);
      if (running != null) {
        running.cancel(true); // releases the Lease (releaseOnCancel); the campaign ends and restarts after the pause
      }
      return null;
    }, false);
  }

  private synchronized void stopped() {
    if (!leading) {
      return;
    }
    leading = false;
    transitions.increment();
    log.info("{} stopped leading (lease {}/{})", settings.identity(), settings.namespace(), settings.leaseName());
    listener.stoppedLeading();
  }

  private void newLeader(String identity) {
    holder = identity;
    if (!identity.equals(settings.identity())) {
      log.info("the leader is {}", identity);
    }
  }

  public boolean leading() {
    return leading;
  }

  /** For /readyz: whether this replica leads, who it is and who holds the Lease. */
  public JsonObject status() {
    JsonObject json = new JsonObject()
        .put("leading", leading)
        .put("identity", settings.identity())
        .put("holder", holder)
        .put("lease", settings.namespace() + "/" + settings.leaseName());
    if (lock.lastError() != null) {
      // The last failed Lease call, so /readyz says why nobody leads while the API server is unreachable.
      json.put("lastError", lock.lastError()).put("leaseReachable", lock.failing() == null);
    }
    JsonObject loop = listener.status();
    if (loop != null) {
      json.put("syncLoop", loop);
    }
    return json;
  }

  /** Stops campaigning and releases the Lease if held, so another replica takes over at once. */
  public Future<Void> close() {
    closed = true;
    vertx.cancelTimer(recampaign);
    return vertx.executeBlocking(() -> {
      CompletableFuture<?> running;
      synchronized (this) {
        running = campaign;
      }
      if (running != null) {
        running.cancel(true); // releases the Lease (releaseOnCancel) on this worker thread
      }
      stopped();
      return null;
    }, false);
  }
}
