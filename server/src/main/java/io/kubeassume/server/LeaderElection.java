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
final class LeaderElection {
  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  /** Told when this replica starts and stops leading; called on fabric8's threads. */
  interface Listener {
    void startedLeading();

    void stoppedLeading();
  }

  private final Vertx vertx;
  private final KubernetesClient client;
  private final ClusterSettings settings;
  private final Listener listener;
  private final Counter transitions;

  private volatile boolean leading;
  private volatile String holder;
  private volatile boolean closed;
  private volatile CompletableFuture<?> campaign;

  LeaderElection(Vertx vertx, KubernetesClient client, ClusterSettings settings, Listener listener, MeterRegistry registry) {
    this.vertx = vertx;
    this.client = client;
    this.settings = settings;
    this.listener = listener;
    Gauge.builder("kubeassume.leader", this, e -> e.leading ? 1 : 0)
        .description("1 while this replica holds the Lease (reads the API server, writes the ConfigMap)")
        .strongReference(true).register(registry);
    transitions = Counter.builder("kubeassume.leader.transitions")
        .description("Times this replica started or stopped leading").register(registry);
  }

  /** Starts campaigning in the background. */
  void start() {
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
        .withLock(new LeaseLock(settings.namespace(), settings.leaseName(), settings.identity()))
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
      log.info("leader election for lease {}/{} ended ({}); campaigning again", settings.namespace(),
          settings.leaseName(), error == null ? "leadership lost" : error.toString());
      vertx.setTimer(settings.retryPeriod().toMillis(), id -> start());
    });
  }

  private void started() {
    leading = true;
    holder = settings.identity();
    transitions.increment();
    log.info("{} is now the leader (lease {}/{}): reading the keys and writing the ConfigMap", settings.identity(),
        settings.namespace(), settings.leaseName());
    listener.startedLeading();
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

  boolean leading() {
    return leading;
  }

  /** For /readyz: whether this replica leads, who it is and who holds the Lease. */
  JsonObject status() {
    return new JsonObject()
        .put("leading", leading)
        .put("identity", settings.identity())
        .put("holder", holder)
        .put("lease", settings.namespace() + "/" + settings.leaseName());
  }

  /** Stops campaigning and releases the Lease if held, so another replica takes over at once. */
  Future<Void> close() {
    closed = true;
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
