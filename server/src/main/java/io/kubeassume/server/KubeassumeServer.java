package io.kubeassume.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubeassume.config.FleetSettings;
import io.kubeassume.fleet.FileFleet;
import io.kubeassume.fleet.Fleet;
import io.kubeassume.fleet.FleetMetrics;
import io.kubeassume.fleet.FleetMirrors;
import io.kubeassume.fleet.FleetReadiness;
import io.kubeassume.fleet.IssuerSpecParser;
import io.kubeassume.fleet.kubernetes.KubernetesFleet;
import io.kubeassume.fleet.kubernetes.WatchMetrics;
import io.vertx.core.json.JsonObject;
import io.kubeassume.config.ConfigException;
import io.kubeassume.config.Durations;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.config.SourceType;
import io.kubeassume.config.StoreType;
import io.kubeassume.config.TlsFiles;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.MergeState;
import io.kubeassume.server.guard.AcceptGate;
import io.kubeassume.server.guard.GatedTransport;
import io.kubeassume.source.KeySource;
import io.kubeassume.source.kubernetes.KubernetesClients;
import io.kubeassume.store.FileStateStore;
import io.kubeassume.store.MemoryStateStore;
import io.kubeassume.tls.InvalidTlsCredentialsException;
import io.kubeassume.tls.TlsCredentials;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
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
                .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
                // Gauges of these domains collide (fabric8's two HTTP clients; the sync request consumer), which
                // micrometer warns about on every start; no documented metric comes from them.
                .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
                .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)))
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
    if (config.isFleet()) {
      return config.fleet().mode() == FleetSettings.Mode.KUBERNETES;
    }
    return config.source() == SourceType.KUBERNETES || config.store() == StoreType.CONFIGMAP;
  }

  /**
   * A fleet: the issuers come from a file (one process, every issuer synced here) or from OIDCIssuer
   * objects (elected replicas: the leader syncs, every replica serves from the objects' status). The
   * topology is chosen here, once.
   */
  private static Future<KubeassumeServer> deployFleet(Vertx vertx, PrometheusMeterRegistry registry, ServeConfig config,
      Clock clock, Cluster cluster, AcceptGate gate) {
    FleetSettings fleet = config.fleet();
    IssuerRegistry issuers = new IssuerRegistry();
    IssuerSpecParser.Context specs = new IssuerSpecParser.Context(fleet.mode() == FleetSettings.Mode.KUBERNETES,
        config.overlap(), config.maxAgeSeconds());
    Future<TlsCredentials> tlsCredentials = config.tls() == null ? Future.succeededFuture(null)
        : vertx.executeBlocking(() -> readTls(config.tls(), vertx), false);
    FleetMirrors mirrors = new FleetMirrors(registry, config.mirrorEndpoint(), config.mirrorRegion(), config.gcpIamEndpoint(),
        config.mirrorResync());
    Supplier<Fleet> current;
    Supplier<Boolean> loaded;
    Supplier<JsonObject> detail;
    Future<String> deployed;
    LeaderElection election;
    if (fleet.mode() == FleetSettings.Mode.FILE) {
      FileFleet files = new FileFleet(new FileFleet.Settings(fleet.file(), fleet.stateDir(), config.maxKeys(),
          config.pollInterval(), fleet.issuerUrlPrefixes(), specs, mirrors), issuers, clock);
      current = files::fleet;
      loaded = () -> files.fileStatus().getBoolean("loaded");
      detail = () -> new JsonObject().put("source", files.fileStatus());
      election = null;
      log.info("kubeassume starting: the fleet declared in {}, state {}", fleet.file(),
          fleet.stateDir() == null ? "in memory (no --state-dir)" : "in " + fleet.stateDir());
      deployed = tlsCredentials.compose(tls -> vertx.deployVerticle(files));
    } else {
      KubernetesFleet objects = new KubernetesFleet(cluster.client, new KubernetesFleet.Settings(fleet.watchNamespaces(),
          fleet.issuerUrlPrefixes(), specs, config.maxKeys(), config.pollInterval(), mirrors), issuers, clock);
      current = objects::fleet;
      loaded = objects::listed;
      election = new LeaderElection(vertx, cluster.client, config.cluster(), objects, registry);
      cluster.election = election;
      detail = () -> new JsonObject().put("source", objects.watchStatus()).put("leader", election.status());
      registry.getPrometheusRegistry().register(new WatchMetrics(objects::watchFailures));
      log.info("kubeassume starting: the fleet of OIDCIssuer objects in {}, leader election on lease {}/{} as {}",
          fleet.watchNamespaces().isEmpty() ? "every namespace" : fleet.watchNamespaces(), config.cluster().namespace(),
          config.cluster().leaseName(), config.cluster().identity());
      deployed = tlsCredentials.compose(tls -> vertx.deployVerticle(objects));
    }
    registry.getPrometheusRegistry().register(new FleetMetrics(
        () -> current.get() == null ? List.of() : current.get().pipelinesView(),
        () -> current.get() == null ? List.of() : current.get().problemsView().values().stream().map(Fleet.Problem::state).toList()));
    Supplier<Readiness.Result> readiness = () -> {
      Fleet f = current.get();
      JsonObject body = FleetReadiness.evaluate(loaded.get(), f == null ? List.of() : f.pipelinesView(),
          f == null ? java.util.Map.of() : f.problemsView());
      detail.get().forEach(e -> body.put(e.getKey(), e.getValue()));
      return new Readiness.Result(body.getBoolean("ready"), body);
    };
    return deployed
        .compose(id -> tlsCredentials)
        .compose(tls -> Serving.deploy(vertx, config, registry, gate, issuers, tls, readiness, clock))
        .map(serving -> {
          if (election != null) {
            election.start();
          }
          log.info("serving the fleet's issuers on {}:{}, management on {}:{}", config.bind(), serving.publicPort(),
              config.bind(), serving.managementPort());
          return new KubeassumeServer(vertx, new CurrentDocuments(), new SyncHealth(), registry, serving.publicPort(),
              serving.managementPort(), cluster, serving.servers());
        });
  }

  private static Future<KubeassumeServer> deploy(Vertx vertx, PrometheusMeterRegistry registry, ServeConfig config,
      Clock clock, Cluster cluster, AcceptGate gate) {
    if (config.isFleet()) {
      return deployFleet(vertx, registry, config, clock, cluster, gate);
    }
    CurrentDocuments documents = new CurrentDocuments();
    SyncHealth health = new SyncHealth();
    String sourceName = config.source().flagValue();
    SyncMetrics metrics = new SyncMetrics(registry, sourceName, documents, health);
    SingleIssuer.Loop loop = new SingleIssuer.Loop(new KeyMerger(config.overlap(), config.maxKeys()), config, documents,
        health, metrics, clock);
    KeyWindowMetrics.register(registry, config.overlap(), documents);
    // The topology, chosen once: replicas sharing a ConfigMap (a fresh key source per leadership term), or one process.
    Callable<KeySource> sources = () -> KeySources.create(vertx, config, cluster.client);
    SingleIssuer topology;
    if (config.store() == StoreType.CONFIGMAP) {
      topology = new SingleIssuer.Elected(vertx, cluster.client, registry, sources, loop);
    } else {
      KeySource source;
      try {
        source = sources.call();
      } catch (IOException e) {
        return Future.failedFuture(new UncheckedIOException("cannot watch the --keys paths: " + e.getMessage(), e));
      } catch (Exception e) {
        return Future.failedFuture(new IllegalStateException("cannot set up --source " + sourceName + ": " + e.getMessage(), e));
      }
      topology = new SingleIssuer.Standalone(
          config.stateFile() == null ? new MemoryStateStore() : new FileStateStore(vertx, config.stateFile()), source, loop);
    }
    cluster.topology = topology;
    log.info("kubeassume starting: issuer {}, source {} {}, overlap {}, state {}", config.issuer(),
        sourceName, config.source() == SourceType.FILES ? config.keys() : KubernetesClients.describe(cluster.client),
        Durations.format(config.overlap()), topology.describeStore());
    if (config.issuer().hasPort() && config.issuer().value().startsWith("https:")) {
      log.warn("the issuer URL {} has a port: AWS IAM does not accept issuers with a port", config.issuer());
    }

    Future<TlsCredentials> tlsCredentials = config.tls() == null ? Future.succeededFuture(null)
        : vertx.executeBlocking(() -> readTls(config.tls(), vertx), false);
    // Mirrors first: a target that fails its check stops start-up before any port is bound. A gcp-wif provider
    // has no conditional update, so only the writer (the leader, or a replica alone) writes to it.
    MirrorWiring mirrors = new MirrorWiring(vertx, config, registry, documents, topology::writing);
    IssuerRegistry issuers = new IssuerRegistry();
    issuers.put(new IssuerEndpoint("default", config.issuer(), config.maxAgeSeconds(), documents));
    Supplier<Readiness.Result> readiness = () -> {
      Readiness.Result result = Readiness.evaluate(documents.snapshot(), health.report(), sourceName,
          topology.storeStatus(), topology.leaderStatus());
      Readiness.addMirrors(result.body(), mirrors.status());
      return result;
    };
    // Key files that yield no document set, with nothing stored, stop start-up before any mirror is checked or port bound.
    Future<MergeState> startState = topology.initialState().compose(stored ->
        StartupKeys.check(vertx, config, topology instanceof SingleIssuer.Elected, loop.merger(), stored, clock));
    return tlsCredentials.compose(tls -> startState.compose(initial -> mirrors.start().map(initial)).compose(initial ->
        Serving.deploy(vertx, config, registry, gate, issuers, tls, readiness, clock)
            .compose(serving -> topology.startWriting(vertx, initial).map(serving))
            .map(serving -> {
              KubeassumeServer server = new KubeassumeServer(vertx, documents, health, registry,
                  serving.publicPort(), serving.managementPort(), cluster, serving.servers());
              log.info("serving {} and {} on {}:{}, management on {}:{}", config.issuer().discoveryPath(),
                  config.issuer().jwksPath(), config.bind(), server.publicPort, config.bind(), server.managementPort);
              return server;
            })));
  }

  private static TlsCredentials readTls(TlsFiles files, Vertx vertx) throws ConfigException {
    try {
      return TlsCredentials.read(files, vertx);
    } catch (InvalidTlsCredentialsException e) {
      throw new ConfigException("--tls-cert/--tls-key", e.getMessage());
    }
  }

  /** What talks to the cluster, closed in order: the Lease is released first so another replica takes over at once. */
  private static final class Cluster {
    final KubernetesClient client;
    /** The fleet's election (a fleet of OIDCIssuer objects), else null. */
    LeaderElection election;
    /** The single issuer's topology, else null. */
    SingleIssuer topology;

    Cluster(KubernetesClient client) {
      this.client = client;
    }

    Future<Void> close() {
      Future<Void> released = election == null ? Future.succeededFuture() : election.close();
      return released.transform(ignored -> topology == null ? Future.<Void>succeededFuture() : topology.close());
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
    if (cluster.topology instanceof SingleIssuer.Elected elected) {
      return elected.leading();
    }
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
