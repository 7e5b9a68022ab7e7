package io.kubeassume.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubeassume.config.ClusterSettings;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.MergeState;
import io.kubeassume.source.KeySource;
import io.kubeassume.store.ConfigMapMetrics;
import io.kubeassume.store.ConfigMapStateStore;
import io.kubeassume.store.ConfigMapStateView;
import io.kubeassume.store.ConfigMapWatcher;
import io.kubeassume.store.StateStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.concurrent.Callable;

/**
 * Where the single issuer's state lives and who writes it, chosen once at start ({@code --store}):
 *
 * <ul>
 *   <li>{@link Standalone}: one process, a state file or memory; its one sync loop reads, writes
 *       and serves.
 *   <li>{@link Elected}: replicas sharing a ConfigMap. Every replica serves what the ConfigMap holds
 *       ({@link ConfigMapStateView}, fed by a watch); the Lease-elected leader alone runs a sync loop,
 *       writing through a {@link ConfigMapStateStore} made for its term.
 * </ul>
 */
abstract class SingleIssuer {
  /** What the sync loop needs besides its source and store, the same in both topologies. */
  record Loop(KeyMerger merger, ServeConfig config, CurrentDocuments documents, SyncHealth health, SyncMetrics metrics,
      Clock clock) {}

  /** The stored state to serve at once and to merge onto first. */
  abstract Future<MergeState> initialState();

  /** Starts writing (standalone: the loop now; elected: the campaign for the Lease) once both ports are up. */
  abstract Future<?> startWriting(Vertx vertx, MergeState initial);

  /** Whether this replica writes now (gcp-wif providers take one writer). */
  abstract boolean writing();

  /** The "store" section of /readyz. */
  abstract JsonObject storeStatus();

  /** The "leader" section of /readyz, or null without an election. */
  abstract JsonObject leaderStatus();

  abstract String describeStore();

  /** Stops writing and watching; the Lease is released first so another replica takes over at once. */
  abstract Future<Void> close();

  /** A single process with a state file or memory. */
  static final class Standalone extends SingleIssuer {
    private final StateStore store;
    private final KeySource source;
    private final Loop loop;
    private boolean handedOver;

    Standalone(StateStore store, KeySource source, Loop loop) {
      this.store = store;
      this.source = source;
      this.loop = loop;
    }

    @Override
    Future<MergeState> initialState() {
      return store.load();
    }

    @Override
    Future<?> startWriting(Vertx vertx, MergeState initial) {
      ServeConfig c = loop.config();
      return vertx.deployVerticle(new KeySyncVerticle(source, store, initial, loop.merger(), c.issuer(), loop.documents(),
          loop.health(), loop.metrics(), loop.clock(), c.pollInterval())).onSuccess(id -> handedOver = true);
    }

    @Override
    boolean writing() {
      return true;
    }

    @Override
    JsonObject storeStatus() {
      return new StoreStatus(loop.config().store(), store.describe(), null).toJson();
    }

    @Override
    JsonObject leaderStatus() {
      return null;
    }

    @Override
    String describeStore() {
      return store.describe();
    }

    @Override
    Future<Void> close() {
      // Once deployed, the loop's stop closes the source (Vert.x undeploys it); before that, a failed start must.
      if (!handedOver) {
        source.close();
      }
      return Future.succeededFuture();
    }
  }

  /** Replicas sharing one ConfigMap, one of them elected to write it. */
  static final class Elected extends SingleIssuer {
    private final ConfigMapStateView view;
    private final ConfigMapWatcher watcher;
    private final LeaderRole role;
    private final LeaderElection election;
    private final ServeConfig config;

    /** @param sources a fresh key source per leadership term */
    Elected(Vertx vertx, KubernetesClient client, MeterRegistry registry, Callable<KeySource> sources, Loop loop) {
      this.config = loop.config();
      ClusterSettings settings = config.cluster();
      ConfigMapMetrics metrics = new ConfigMapMetrics(registry);
      this.view = new ConfigMapStateView(client, settings.namespace(), settings.configMap(), config.issuer(), metrics,
          loop.documents()::serve, () -> vertx.eventBus().publish(KeySyncVerticle.SYNC_ADDRESS, null), loop.clock());
      this.watcher = new ConfigMapWatcher(view);
      this.role = new LeaderRole(vertx,
          () -> new KeySyncVerticle(sources.call(), new ConfigMapStateStore(vertx, client, view, settings.identity(), metrics,
              loop.clock()), view.latest().orElse(MergeState.EMPTY), loop.merger(), config.issuer(), loop.documents(),
              loop.health(), loop.metrics(), loop.clock(), config.pollInterval(), false),
          settings.retryPeriod(), registry);
      this.election = new LeaderElection(vertx, client, settings, role, registry);
      // kubeassume_source_up on a follower shows the leader's latest sync, as /readyz does.
      loop.metrics().followLeader(view, election::leading);
      // Every replica serves what the ConfigMap holds, from the moment the watch delivers it.
      watcher.start();
    }

    @Override
    Future<MergeState> initialState() {
      return Future.succeededFuture(MergeState.EMPTY);
    }

    @Override
    Future<?> startWriting(Vertx vertx, MergeState initial) {
      election.start();
      return Future.succeededFuture();
    }

    @Override
    boolean writing() {
      return election.leading();
    }

    @Override
    JsonObject storeStatus() {
      return new StoreStatus(config.store(), view.describe(), view).toJson();
    }

    @Override
    JsonObject leaderStatus() {
      return election.status();
    }

    @Override
    String describeStore() {
      return view.describe() + ", leader election on lease " + config.cluster().namespace() + "/"
          + config.cluster().leaseName() + " as " + config.cluster().identity();
    }

    boolean leading() {
      return election.leading();
    }

    @Override
    Future<Void> close() {
      // The sync loop is undeployed before Vert.x closes, so the two undeploys never race.
      return election.close().transform(ignored -> role.stop()).transform(ignored -> {
        watcher.close();
        return Future.<Void>succeededFuture();
      });
    }
  }
}
