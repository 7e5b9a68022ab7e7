package io.kubeassume.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubeassume.config.ClusterSettings;
import io.kubeassume.config.ConfigException;
import io.kubeassume.config.Durations;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.config.SourceType;
import io.kubeassume.config.StoreType;
import io.kubeassume.config.TlsFiles;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.MergeState;
import io.kubeassume.server.guard.AcceptGate;
import io.kubeassume.server.guard.ConnectionGuard;
import io.kubeassume.server.guard.GatedTransport;
import io.kubeassume.server.guard.ConnectionLimits;
import io.kubeassume.server.guard.GuardMetrics;
import io.kubeassume.server.guard.HardenedOptions;
import io.kubeassume.server.guard.Heartbeats;
import io.kubeassume.source.KeySource;
import io.kubeassume.source.kubernetes.KubernetesClients;
import io.kubeassume.store.ConfigMapMetrics;
import io.kubeassume.store.ConfigMapStateStore;
import io.kubeassume.store.ConfigMapWatcher;
import io.kubeassume.store.FileStateStore;
import io.kubeassume.store.MemoryStateStore;
import io.kubeassume.store.StateStore;
import io.kubeassume.tls.CertificateReloader;
import io.kubeassume.tls.InvalidTlsCredentialsException;
import io.kubeassume.tls.TlsCredentials;
import io.kubeassume.tls.TlsSettings;
import io.kubeassume.tls.TlsStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running kubeassume server: one Vert.x instance with the sync loop, the public document
 * server (one verticle per event loop) and the management server. Start with {@link #start}.
 */
public final class KubeassumeServer {
  private static final Logger log = LoggerFactory.getLogger(KubeassumeServer.class);

  private final Vertx vertx;
  private final CurrentDocuments documents;
  private final SyncHealth health;
  private final PrometheusMeterRegistry registry;
  private final int publicPort;
  private final int managementPort;
  private final Cluster cluster;
  private final List<DiscoveryVerticle> publicServers;

  private KubeassumeServer(Vertx vertx, CurrentDocuments documents, SyncHealth health,
      PrometheusMeterRegistry registry, int publicPort, int managementPort, Cluster cluster,
      List<DiscoveryVerticle> publicServers) {
    this.cluster = cluster;
    this.publicServers = List.copyOf(publicServers);
    this.vertx = vertx;
    this.documents = documents;
    this.health = health;
    this.registry = registry;
    this.publicPort = publicPort;
    this.managementPort = managementPort;
  }

  public static Future<KubeassumeServer> start(ServeConfig config) {
    return start(config, Clock.systemUTC());
  }

  /** Starts everything; fails (and releases what was started) if a port cannot be bound or the state cannot be read. */
  public static Future<KubeassumeServer> start(ServeConfig config, Clock clock) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AcceptGate gate = new AcceptGate();
    Vertx vertx = Vertx.builder()
        .withTransport(GatedTransport.preferNative(gate))
        .with(new VertxOptions()
            .setPreferNativeTransport(true)
            .setMetricsOptions(new MicrometerMetricsOptions()
                .setEnabled(true)
                // vertx-micrometer keeps backends by name; a name per server keeps servers in one JVM apart.
                .setRegistryName("kubeassume-" + java.util.UUID.randomUUID())
                .setJvmMetricsEnabled(true)
                // Per-request meter lookups in these domains cost a third of the CPU under load;
                // PublicHttpMetrics counts public requests with pre-registered meters instead.
                .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
                .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    // Report a failed start at once; Vert.x shuts down in the background (awaiting it from its own callback would hang).
    return deploy(vertx, registry, config, clock, gate).recover(e -> {
      vertx.close();
      return Future.failedFuture(e);
    });
  }

  private static Future<KubeassumeServer> deploy(Vertx vertx, PrometheusMeterRegistry registry, ServeConfig config, Clock clock,
      AcceptGate gate) {
    KubernetesClient client;
    try {
      client = needsCluster(config) ? KubernetesClients.create(vertx, config.kubeconfig()) : null;
    } catch (RuntimeException e) {
      return Future.failedFuture(new IllegalStateException("cannot set up the kubernetes client"
          + (config.kubeconfig() == null ? "" : " from --kubeconfig " + config.kubeconfig()) + ": " + e.getMessage(), e));
    }
    Cluster cluster = new Cluster(client);
    return deploy(vertx, registry, config, clock, cluster, gate).recover(e -> {
      cluster.close();
      cluster.closeClient();
      return Future.failedFuture(e);
    });
  }

  private static boolean needsCluster(ServeConfig config) {
    return config.source() == SourceType.KUBERNETES || config.store() == StoreType.CONFIGMAP;
  }

  private static Future<KubeassumeServer> deploy(Vertx vertx, PrometheusMeterRegistry registry, ServeConfig config,
      Clock clock, Cluster cluster, AcceptGate gate) {
    CurrentDocuments documents = new CurrentDocuments();
    SyncHealth health = new SyncHealth();
    String sourceName = config.source().flagValue();
    SyncMetrics metrics = new SyncMetrics(registry, sourceName, documents, health);
    PublicHttpMetrics httpMetrics = new PublicHttpMetrics(registry);
    KeyMerger merger = new KeyMerger(config.overlap(), config.maxKeys());
    KeyWindowMetrics.register(registry, config.overlap(), documents);
    boolean shared = config.store() == StoreType.CONFIGMAP;

    StateStore store;
    ConfigMapStateStore configMap = null;
    if (shared) {
      ClusterSettings settings = config.cluster();
      configMap = new ConfigMapStateStore(vertx, cluster.client, settings.namespace(), settings.configMap(), config.issuer(),
          settings.identity(), new ConfigMapMetrics(registry), documents::serve,
          () -> vertx.eventBus().publish(KeySyncVerticle.SYNC_ADDRESS, null), clock);
      store = configMap;
    } else {
      store = config.stateFile() == null ? new MemoryStateStore() : new FileStateStore(vertx, config.stateFile());
    }
    // One source for the single replica; with the ConfigMap store a fresh one per leadership term.
    Callable<KeySource> sources = () -> KeySources.create(vertx, config, cluster.client);
    KeySource single = null;
    if (!shared) {
      try {
        single = sources.call();
      } catch (IOException e) {
        return Future.failedFuture(new UncheckedIOException("cannot watch the --keys paths: " + e.getMessage(), e));
      } catch (Exception e) {
        return Future.failedFuture(new IllegalStateException("cannot set up --source " + sourceName + ": " + e.getMessage(), e));
      }
    }
    log.info("kubeassume starting: issuer {}, source {} {}, overlap {}, state {}{}", config.issuer(),
        sourceName, config.source() == SourceType.FILES ? config.keys()
            : config.kubeconfig() == null ? "(in-cluster or default kubeconfig)" : config.kubeconfig(),
        Durations.format(config.overlap()), store.describe(),
        shared ? ", leader election on lease " + config.cluster().namespace() + "/" + config.cluster().leaseName()
            + " as " + config.cluster().identity() : "");
    if (config.issuer().hasPort() && config.issuer().value().startsWith("https:")) {
      log.warn("the issuer URL {} has a port: AWS IAM does not accept issuers with a port", config.issuer());
    }

    Future<TlsCredentials> tlsCredentials = config.tls() == null ? Future.succeededFuture(null)
        : vertx.executeBlocking(() -> readTls(config.tls(), vertx), false);
    LeaderElection election;
    Future<MergeState> initialState;
    if (shared) {
      ConfigMapStateStore cmStore = configMap;
      cluster.watcher = new ConfigMapWatcher(cmStore);
      cluster.watcher.start();
      cluster.role = new LeaderRole(vertx,
          () -> new KeySyncVerticle(sources.call(), cmStore, cmStore.latest().orElse(MergeState.EMPTY), merger,
              config.issuer(), documents, health, metrics, clock, config.pollInterval(), false),
          config.cluster().retryPeriod(), registry);
      election = new LeaderElection(vertx, cluster.client, config.cluster(), cluster.role, registry);
      cluster.election = election;
      initialState = Future.succeededFuture(MergeState.EMPTY);
    } else {
      election = null;
      initialState = store.load();
    }
    // Mirrors first: a target that fails its check stops start-up before any port is bound. A gcp-wif provider
    // has no conditional update, so only the leader (or a replica alone) writes to it.
    LeaderElection writer = election;
    MirrorWiring mirrors = new MirrorWiring(vertx, config, registry, documents,
        writer == null ? () -> true : writer::leading);
    StoreStatus storeStatus = new StoreStatus(config.store(), store.describe(), configMap);
    KeySource singleSource = single;
    // Once its sync loop is deployed, the loop's stop closes the source; before that, a failed start must.
    AtomicBoolean sourceHandedOver = new AtomicBoolean(singleSource == null);
    return tlsCredentials.compose(tls -> mirrors.start().compose(v -> initialState).compose(initial -> {
      List<DiscoveryVerticle> servers = new ArrayList<>();
      HttpServerOptions publicOptions = HardenedOptions.apply(
          new HttpServerOptions().setHost(config.bind()).setPort(config.port()), config.limits(), config.h2c());
      int loops = publicInstances(config);
      Heartbeats heartbeats = new Heartbeats(loops, System.nanoTime());
      TlsStatus tlsStatus = tls == null ? null : new TlsStatus(registry, tls);
      if (tls != null) {
        TlsSettings.apply(publicOptions, tls);
        log.info("public port serves TLS 1.2/1.3 with HTTP/2: {}, valid until {}, sha256 {}", tls.subject(), tls.notAfter(),
            tls.fingerprint());
      }
      ConnectionLimits managementLimits = config.limits().forManagement();
      GuardMetrics publicGuardMetrics = new GuardMetrics(registry, "public", config.limits());
      GuardMetrics managementGuardMetrics = new GuardMetrics(registry, "management", managementLimits);
      ManagementVerticle management = new ManagementVerticle(documents, health, registry, sourceName, storeStatus::toJson,
          election == null ? () -> null : election::status,
          HardenedOptions.apply(new HttpServerOptions().setHost(config.bind()).setPort(config.managementPort()),
              managementLimits, false),
          tlsStatus == null ? Map.of() : Map.of("tls", tlsStatus::toJson), mirrors::status,
          new Liveness(heartbeats, config.livenessLimit(), System::nanoTime),
          new ConnectionGuard("management", managementLimits, managementGuardMetrics, new Heartbeats(1, System.nanoTime()),
              0, gate));
      Future<String> syncLoop = shared ? Future.succeededFuture("elected") : vertx.deployVerticle(new KeySyncVerticle(
          singleSource, store, initial, merger, config.issuer(), documents, health, metrics, clock, config.pollInterval()))
          .onSuccess(id -> sourceHandedOver.set(true));
      return syncLoop
          .compose(id -> deployPublicServers(vertx, config, publicOptions, documents, httpMetrics, servers, loops,
              heartbeats, publicGuardMetrics, gate))
          .compose(id -> tlsStatus == null ? Future.succeededFuture(id) : vertx.deployVerticle(new CertificateReloader(
              config.tls(), config.tlsReloadInterval(), ssl -> updateAll(servers, ssl), tlsStatus, clock)))
          .compose(id -> vertx.deployVerticle(management))
          .map(id -> {
            // Before the guard sees a connection it may wait for a TLS handshake, for h2c detection, or just for a busy
            // event loop to pick it up during a flood: the gate bounds all of those.
            gate.register(servers.get(0).actualPort(), config.limits(), publicGuardMetrics);
            gate.register(management.actualPort(), managementLimits, managementGuardMetrics);
            if (election != null) {
              election.start();
            }
            KubeassumeServer server = new KubeassumeServer(vertx, documents, health, registry,
                servers.get(0).actualPort(), management.actualPort(), cluster, servers);
            log.info("serving {} and {} on {}:{}, management on {}:{}", config.issuer().discoveryPath(),
                config.issuer().jwksPath(), config.bind(), server.publicPort, config.bind(), server.managementPort);
            log.info("public port limits: {} connections, request timeout {}, idle timeout {}, {} HTTP/2 streams per "
                    + "connection{}", config.limits().maxConnections(), Durations.format(config.limits().requestTimeout()),
                Durations.format(config.limits().idleTimeout()), ConnectionLimits.MAX_CONCURRENT_STREAMS,
                config.h2c() ? ", h2c on" : "");
            return server;
          });
    })).onFailure(e -> {
      if (!sourceHandedOver.get()) {
        singleSource.close();
      }
    });
  }

  /**
   * One public server per event loop, all on one port. Port 0 (any free port, for tests and local runs)
   * gets a single instance: Vert.x 5 cannot make several instances share one randomly chosen port.
   */
  private static int publicInstances(ServeConfig config) {
    return config.port() == 0 ? 1 : config.instances();
  }

  /** Each instance guards its own share of the connection limits and beats its own heartbeat. */
  private static Future<String> deployPublicServers(Vertx vertx, ServeConfig config, HttpServerOptions options,
      CurrentDocuments documents, PublicHttpMetrics httpMetrics, List<DiscoveryVerticle> servers, int instances,
      Heartbeats heartbeats, GuardMetrics guardMetrics, AcceptGate gate) {
    ConnectionLimits perLoop = config.limits().perLoop(instances);
    return vertx.deployVerticle(() -> {
      DiscoveryVerticle v;
      synchronized (servers) {
        v = new DiscoveryVerticle(config.issuer(), config.maxAgeSeconds(), documents, options, httpMetrics,
            new ConnectionGuard("public", perLoop, guardMetrics, heartbeats, servers.size(), gate));
        servers.add(v);
      }
      return v;
    }, new DeploymentOptions().setInstances(instances));
  }

  private static TlsCredentials readTls(TlsFiles files, Vertx vertx) throws ConfigException {
    try {
      return TlsCredentials.read(files, vertx);
    } catch (InvalidTlsCredentialsException e) {
      throw new ConfigException("--tls-cert/--tls-key", e.getMessage());
    }
  }

  /** Every public server instance gets the new certificate; the reload counts only if all took it. */
  private static Future<?> updateAll(List<DiscoveryVerticle> servers, ServerSSLOptions ssl) {
    List<Future<Boolean>> updates = new ArrayList<>();
    synchronized (servers) {
      for (DiscoveryVerticle server : servers) {
        updates.add(server.updateSsl(ssl));
      }
    }
    return Future.all(updates);
  }

  /** What talks to the cluster, closed in order: the Lease is released first so another replica takes over at once. */
  private static final class Cluster {
    final KubernetesClient client;
    LeaderElection election;
    LeaderRole role;
    ConfigMapWatcher watcher;

    Cluster(KubernetesClient client) {
      this.client = client;
    }

    Future<Void> close() {
      Future<Void> released = election == null ? Future.succeededFuture() : election.close();
      // The sync loop is undeployed before Vert.x closes, so the two undeploys never race.
      return released.transform(ignored -> role == null ? Future.<Void>succeededFuture() : role.stop()).transform(ignored -> {
        if (watcher != null) {
          watcher.close();
        }
        return Future.<Void>succeededFuture();
      });
    }

    void closeClient() {
      if (client != null) {
        client.close();
      }
    }
  }

  public int publicPort() {
    return publicPort;
  }

  public int managementPort() {
    return managementPort;
  }

  public CurrentDocuments documents() {
    return documents;
  }

  public SyncHealth health() {
    return health;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The contexts (event loops) of the public port's servers; for fault tests. */
  List<io.vertx.core.Context> publicContexts() {
    return publicServers.stream().map(DiscoveryVerticle::context).toList();
  }

  /** True while this replica holds the Lease (always false without the ConfigMap store). */
  public boolean leading() {
    return cluster.election != null && cluster.election.leading();
  }

  /** Releases the Lease (if held), stops watching, closes the Kubernetes client, then stops Vert.x. */
  public Future<Void> close() {
    // The client goes before Vert.x: closing it fails in-flight requests, so no worker waits on a dead event loop.
    // A context-free promise: listeners on Vert.x's own futures would be dispatched to event loops that close() stops.
    Promise<Void> closed = Promise.promise();
    cluster.close().onComplete(ignored -> {
      cluster.closeClient();
      vertx.close().onComplete(closed);
    });
    return closed.future();
  }
}
