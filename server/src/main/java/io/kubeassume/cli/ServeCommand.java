package io.kubeassume.cli;

import io.kubeassume.config.ClusterSettings;
import io.kubeassume.config.FleetSettings;
import io.kubeassume.config.ConfigException;
import io.kubeassume.config.Durations;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.config.NamespaceResolver;
import io.kubeassume.config.ResourceNames;
import io.kubeassume.config.SourceType;
import io.kubeassume.config.TlsFiles;
import io.kubeassume.config.StoreType;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.logging.ExpectedFailures;
import io.kubeassume.logging.LogFormat;
import io.kubeassume.logging.LogSettings;
import io.kubeassume.mirror.MirrorLocation;
import io.kubeassume.server.KubeassumeServer;
import io.kubeassume.server.guard.ConnectionLimits;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Serves the issuer's /.well-known/openid-configuration and /openid/v1/jwks on the public port, "
            + "and /healthz, /readyz, /metrics on the management port. Runs until SIGTERM or SIGINT.",
        "Exit code 1: start-up failed (a port in use, no valid key and no stored state, an invalid state file, a "
            + "failed mirror check); 2: a wrong flag or environment value, or no cluster to talk to.",
        "Every flag has an environment twin: --issuer-url is also KUBEASSUME_ISSUER_URL."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  # the committed development key on http://localhost:8080 (management port 9090):",
        "  kubeassume serve --issuer-url http://localhost:8080 --source files --keys certs/dev/sa.pub",
        "  # in a cluster (2-3 replicas): the API server's own keys, one Lease-elected reader:",
        "  kubeassume serve --issuer-url https://oidc.example.com"})
final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Spec
  CommandSpec spec;

  @Option(names = "--issuer-url", paramLabel = "URL",
      description = "Public issuer URL, identical to the API server's --service-account-issuer "
          + "(https; http only for localhost). Required, unless --issuers declares a fleet. Env: KUBEASSUME_ISSUER_URL")
  String issuerUrl;

  @Option(names = "--issuers", paramLabel = "FILE|kubernetes",
      description = "Serve a fleet of issuers instead of --issuer-url: those declared in FILE (YAML or JSON, watched), or "
          + "by the OIDCIssuer objects in the cluster (kubernetes). See docs/fleet.md. Env: KUBEASSUME_ISSUERS")
  String issuers;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "With --issuers FILE: a state file per issuer, so a restart still serves retired keys. Default: "
          + "state in memory. Env: KUBEASSUME_STATE_DIR")
  String stateDir;

  @Option(names = "--issuer-url-prefix", paramLabel = "URL", split = ",",
      description = "With --issuers: only issuers under one of these URLs are served, e.g. "
          + "https://oidc.example.com/clusters/; repeatable. Default: any URL. Env: KUBEASSUME_ISSUER_URL_PREFIX (comma-separated)")
  List<String> issuerUrlPrefixes = new ArrayList<>();

  @Option(names = "--watch-namespaces", paramLabel = "NAMESPACE", split = ",",
      description = "With --issuers kubernetes: read OIDCIssuer objects and their Secrets only in these namespaces; "
          + "repeatable. Default: every namespace. Env: KUBEASSUME_WATCH_NAMESPACES (comma-separated)")
  List<String> watchNamespaces = new ArrayList<>();

  @Option(names = "--source", paramLabel = "kubernetes|files", defaultValue = "kubernetes",
      description = "Where the public keys come from: kubernetes (the API server's own /openid/v1/jwks, read by "
          + "the elected leader), or files (--keys). Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_SOURCE")
  String source;

  @Option(names = "--store", paramLabel = "configmap|file",
      description = "Where the merge state lives: configmap (shared by all replicas, one Lease-elected writer) or "
          + "file (--state-file, else memory; one replica). Default: configmap with --source kubernetes, file with "
          + "--source files. Env: KUBEASSUME_STORE")
  String store;

  @Option(names = "--configmap", paramLabel = "NAME", defaultValue = ClusterSettings.DEFAULT_CONFIGMAP,
      description = "ConfigMap holding the documents and merge state (--store configmap). Default: ${DEFAULT-VALUE}. "
          + "Env: KUBEASSUME_CONFIGMAP")
  String configMap;

  @Option(names = "--lease-name", paramLabel = "NAME", defaultValue = ClusterSettings.DEFAULT_LEASE_NAME,
      description = "coordination.k8s.io/v1 Lease that elects the one replica reading the API server and writing "
          + "the ConfigMap. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_LEASE_NAME")
  String leaseName;

  @Option(names = "--leader-election-namespace", paramLabel = "NAMESPACE",
      description = "Namespace of the ConfigMap and the Lease. Default: POD_NAMESPACE, else the in-cluster service "
          + "account's namespace, else the kubeconfig context's. Env: KUBEASSUME_LEADER_ELECTION_NAMESPACE")
  String leaderElectionNamespace;

  @Option(names = "--lease-duration", paramLabel = "DURATION", defaultValue = "15s",
      description = "How long a leader that stopped renewing keeps the Lease. Default: ${DEFAULT-VALUE}. "
          + "Env: KUBEASSUME_LEASE_DURATION")
  String leaseDuration;

  @Option(names = "--renew-deadline", paramLabel = "DURATION", defaultValue = "10s",
      description = "How long the leader keeps trying to renew before it steps down. Default: ${DEFAULT-VALUE}. "
          + "Env: KUBEASSUME_RENEW_DEADLINE")
  String renewDeadline;

  @Option(names = "--retry-period", paramLabel = "DURATION", defaultValue = "2s",
      description = "How often the Lease is renewed or tried. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_RETRY_PERIOD")
  String retryPeriod;

  @Option(names = "--keys", paramLabel = "PATH", split = ",",
      description = "Key file or directory of key files (PEM public keys, certificates, JWKS); repeatable. "
          + "Watched for changes. Only with --source files. Env: KUBEASSUME_KEYS (comma-separated)")
  List<String> keys = new ArrayList<>();

  @Option(names = "--kubeconfig", paramLabel = "PATH",
      description = "Kubeconfig for --source kubernetes and --store configmap. Default: KUBECONFIG or ~/.kube/config, "
          + "else the in-cluster service account; with none of them start-up stops. Env: KUBEASSUME_KUBECONFIG")
  String kubeconfig;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
      description = "Public port (the two documents only). Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_PORT")
  String port;

  @Option(names = "--management-port", paramLabel = "PORT", defaultValue = "9090",
      description = "Port of /healthz, /readyz and /metrics; never expose it. Default: ${DEFAULT-VALUE}. "
          + "Env: KUBEASSUME_MANAGEMENT_PORT")
  String managementPort;

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
      description = "Address both ports listen on. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_BIND")
  String bind;

  @Option(names = "--max-connections", paramLabel = "N",
      description = "Most connections open at once on the public port; past it the least active one is closed to make "
          + "room. Default: a third of the heap at 15 KiB per connection (about 1400 with -Xmx64m). Env: KUBEASSUME_MAX_CONNECTIONS")
  String maxConnections;

  @Option(names = "--request-timeout", paramLabel = "DURATION", defaultValue = "10s",
      description = "How long a client may take to send a complete request after connecting, and to read each "
          + "response; slower connections are closed. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_REQUEST_TIMEOUT")
  String requestTimeout;

  @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "30s",
      description = "How long an answered connection may wait for its next request. Default: ${DEFAULT-VALUE}. "
          + "Env: KUBEASSUME_IDLE_TIMEOUT")
  String idleTimeout;

  @Option(names = "--h2c",
      description = "Also speak plain-text HTTP/2 (prior knowledge and Upgrade: h2c) on a plain public port, for a "
          + "proxy that sends h2c upstream. Off by default: HTTP/2 is offered over TLS only. Env: KUBEASSUME_H2C")
  boolean h2c;

  @Option(names = "--overlap", paramLabel = "DURATION", defaultValue = "24h",
      description = "How long a key that left the source is still served, e.g. 90s, 15m, 24h. Make it longer "
          + "than the longest token lifetime. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_OVERLAP")
  String overlap;

  @Option(names = "--max-age", paramLabel = "SECONDS", defaultValue = "300",
      description = "Cache-Control max-age of both documents. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_MAX_AGE")
  String maxAge;

  @Option(names = "--max-keys", paramLabel = "N", defaultValue = "100",
      description = "Most keys served; the oldest retired keys go first (AWS accepts at most 100). "
          + "Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_MAX_KEYS")
  String maxKeys;

  @Option(names = "--state-file", paramLabel = "FILE",
      description = "Where retired keys and their times are kept, so a restart inside the overlap window still "
          + "serves them. Only with --store file; without it, state lives in memory. Env: KUBEASSUME_STATE_FILE")
  String stateFile;

  @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "30s",
      description = "How often the source is re-read even without a change notice. Default: ${DEFAULT-VALUE}. "
          + "Env: KUBEASSUME_POLL_INTERVAL")
  String pollInterval;

  @Option(names = "--tls-cert", paramLabel = "FILE",
      description = "PEM certificate chain (leaf first) to serve the public port over https, for clusters without an "
          + "Ingress; re-read when it changes (cert-manager renewals). Needs --tls-key. Env: KUBEASSUME_TLS_CERT")
  String tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE",
      description = "PEM private key of --tls-cert. Env: KUBEASSUME_TLS_KEY")
  String tlsKey;

  @Option(names = "--mirror", paramLabel = "URI", split = ",",
      description = "Also publish the two documents to object storage: s3://BUCKET/PREFIX, gs://BUCKET/PREFIX, "
          + "azblob://ACCOUNT/CONTAINER/PREFIX or oci://NAMESPACE/BUCKET/PREFIX; or keep a GCP provider's uploaded "
          + "JWKS in step: gcp-wif://projects/PROJECT/locations/global/workloadIdentityPools/POOL/providers/PROVIDER; "
          + "repeatable. Credentials come from each cloud SDK's default chain. Env: KUBEASSUME_MIRROR (comma-separated)")
  List<String> mirrors = new ArrayList<>();

  @Option(names = "--mirror-endpoint", paramLabel = "URL",
      description = "Endpoint of an S3-compatible store or emulator for --mirror (path-style addressing). "
          + "Default: the cloud's own. Env: KUBEASSUME_MIRROR_ENDPOINT")
  String mirrorEndpoint;

  @Option(names = "--mirror-region", paramLabel = "REGION",
      description = "Region of the --mirror bucket, e.g. eu-west-1. Default: the SDK's region lookup "
          + "(AWS_REGION, profile, instance metadata). Env: KUBEASSUME_MIRROR_REGION")
  String mirrorRegion;

  @Option(names = "--gcp-iam-endpoint", paramLabel = "URL",
      description = "IAM API endpoint for --mirror gcp-wif://... (a private endpoint, or a local API in tests). "
          + "Default: https://iam.googleapis.com. Env: KUBEASSUME_GCP_IAM_ENDPOINT")
  String gcpIamEndpoint;

  @Option(names = "--mirror-resync", paramLabel = "DURATION", defaultValue = "5m",
      description = "How often the mirrors are re-checked and repaired (deleted or altered objects) even without "
          + "a change. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_MIRROR_RESYNC")
  String mirrorResync;

  @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "info",
      description = "error, warn, info or debug (debug adds stack traces to every logged failure). "
          + "Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_LOG_LEVEL")
  String logLevel;

  @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
      description = "text: one line per event; json: one JSON object per line (time, level, logger, message, error) "
          + "for Loki, Elastic or Cloud Logging. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_LOG_FORMAT")
  String logFormat;

  private final EnvironmentDefaults environment;
  /** Where a cluster would be found without --kubeconfig; tests that simulate a pod set their own. */
  ClusterLocation clusterLocation;

  ServeCommand(EnvironmentDefaults environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() {
    ServeConfig config;
    try {
      applyLogging();
      config = toConfig();
    } catch (ConfigException e) {
      return usageError(e.getMessage());
    }
    KubeassumeServer server;
    try {
      server = KubeassumeServer.start(config).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ConfigException) {
        return usageError(cause.getMessage());
      }
      log.debug("start-up failed", cause);
      return fail(ExitCodes.FAILURE, "cannot start: " + (cause.getMessage() != null ? cause.getMessage()
          : ExpectedFailures.summary(cause)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCodes.FAILURE;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping (SIGTERM or SIGINT): releasing the lease if held, then closing ports {} and {}",
          server.publicPort(), server.managementPort());
      try {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        log.info("stopped: the documents are no longer served");
      } catch (Exception e) {
        log.warn("stopping did not finish within 10 s, exiting anyway: {}", String.valueOf(e.getMessage()));
      } finally {
        stopped.countDown();
      }
    }, "kubeassume-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return ExitCodes.OK;
  }

  private int usageError(String message) {
    return fail(ExitCodes.USAGE, message);
  }

  /** One line on stderr: plain text, or with --log-format json a JSON log event, so a log pipeline can read it too. */
  private int fail(int code, String message) {
    if (LogSettings.format() == LogFormat.JSON) {
      log.error("kubeassume serve: {}", message);
    } else {
      spec.commandLine().getErr().println("kubeassume serve: " + message);
      spec.commandLine().getErr().flush();
    }
    return code;
  }

  /** Level and format first: they must be in place before anything logs, and a wrong one is reported as any flag. */
  private void applyLogging() throws ConfigException {
    LogFormat format = checkedLogFormat();
    LogSettings.level(Level.valueOf(checkedLogLevel().toUpperCase(Locale.ROOT)));
    LogSettings.format(format);
  }

  /** The --log-level value, checked (apart from toConfig because it must be applied before anything logs). */
  String checkedLogLevel() throws ConfigException {
    if (!List.of("error", "warn", "info", "debug", "trace").contains(logLevel)) {
      throw new ConfigException(flag("--log-level"), "'" + logLevel + "' is not a level; use error, warn, info or debug");
    }
    return logLevel;
  }

  /** The --log-format value, checked. */
  LogFormat checkedLogFormat() throws ConfigException {
    try {
      return LogFormat.fromFlag(logFormat == null ? "" : logFormat.strip());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(flag("--log-format"), e.getMessage());
    }
  }

  /** Checks every flag; the first problem found is reported with the flag's name. */
  ServeConfig toConfig() throws ConfigException {
    if (issuers != null && !issuers.isBlank()) {
      return fleetConfig();
    }
    for (String fleetOnly : List.of("--state-dir", "--issuer-url-prefix", "--watch-namespaces")) {
      if (given(fleetOnly)) {
        throw new ConfigException(flag(fleetOnly), "is only for a fleet (--issuers FILE or --issuers kubernetes); remove it, "
            + "or declare the issuers with --issuers");
      }
    }
    if (issuerUrl == null || issuerUrl.isBlank()) {
      throw new ConfigException("--issuer-url", "is required: the public URL clouds fetch the documents from, "
          + "identical to the API server's --service-account-issuer (e.g. --issuer-url https://oidc.example.com, "
          + "or KUBEASSUME_ISSUER_URL)");
    }
    IssuerUrl issuer;
    try {
      issuer = IssuerUrl.parse(issuerUrl.strip());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(flag("--issuer-url"), e.getMessage());
    }
    SourceType sourceType;
    try {
      sourceType = SourceType.fromFlag(source);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(flag("--source"), e.getMessage());
    }
    List<Path> keyPaths = sourceType == SourceType.FILES ? keyPaths() : noKeyPaths();
    StoreType storeType = storeType(sourceType);
    Path kubeconfigFile = kubeconfig(sourceType, storeType);
    // Without a cluster the client would dial kubernetes.default.svc for ever: stop now, after the other flags are checked.
    ClusterLocation location = clusterLocation != null ? clusterLocation : ClusterLocation.of(environment);
    boolean needsCluster = sourceType == SourceType.KUBERNETES || storeType == StoreType.CONFIGMAP;
    String noCluster = needsCluster && kubeconfigFile == null && !location.found()
        ? location.notFound(sourceType == SourceType.FILES) : null;
    ClusterSettings cluster = storeType == StoreType.CONFIGMAP ? cluster(kubeconfigFile, noCluster == null) : null;
    Path state = stateFile();
    if (state != null && storeType == StoreType.CONFIGMAP) {
      throw new ConfigException(flag("--state-file"), "is only for --store file; with --store configmap the state "
          + "lives in the ConfigMap, so remove --state-file (or KUBEASSUME_STATE_FILE) or add --store file");
    }
    int publicPort = port("--port", port);
    int mgmtPort = port("--management-port", managementPort);
    if (publicPort == mgmtPort && publicPort != 0) {
      throw new ConfigException(flag("--management-port"), "is the same as --port (" + publicPort
          + "); the management port must be separate so no Ingress exposes it");
    }
    if (bind == null || bind.isBlank()) {
      throw new ConfigException(flag("--bind"), "is empty; use an address such as 0.0.0.0 or 127.0.0.1");
    }
    Duration overlapWindow = duration("--overlap", overlap, Duration.ofSeconds(1));
    long maxAgeSeconds = number("--max-age", maxAge, 0, 31_536_000);
    int keyLimit = (int) number("--max-keys", maxKeys, 1, 10_000);
    Duration poll = duration("--poll-interval", pollInterval, Duration.ofSeconds(1));
    List<MirrorLocation> mirrorLocations = mirrorLocations();
    URI endpoint = mirrorEndpoint(mirrorLocations);
    String region = mirrorRegion(mirrorLocations);
    URI gcpIam = gcpIamEndpoint(mirrorLocations);
    Duration resync = duration("--mirror-resync", mirrorResync, Duration.ofSeconds(1));
    ConnectionLimits limits = connectionLimits();
    if (noCluster != null) {
      throw new ConfigException("--kubeconfig", noCluster);
    }
    return ServeConfig.builder(issuer)
        .source(sourceType)
        .keys(keyPaths)
        .bind(bind.strip())
        .port(publicPort)
        .managementPort(mgmtPort)
        .overlap(overlapWindow)
        .maxAgeSeconds(maxAgeSeconds)
        .maxKeys(keyLimit)
        .stateFile(state)
        .pollInterval(poll)
        .kubeconfig(kubeconfigFile)
        .tls(tlsFiles())
        .mirrors(mirrorLocations)
        .mirrorEndpoint(endpoint)
        .mirrorRegion(region)
        .mirrorResync(resync)
        .store(storeType)
        .cluster(cluster)
        .limits(limits)
        .h2c(h2c)
        .gcpIamEndpoint(gcpIam)
        .build();
  }

  private ConnectionLimits connectionLimits() throws ConfigException {
    int connections = maxConnections == null || maxConnections.isBlank()
        ? ConnectionLimits.defaultMaxConnections(Runtime.getRuntime().maxMemory())
        : (int) number("--max-connections", maxConnections, 1, 1_000_000);
    Duration request = duration("--request-timeout", requestTimeout, Duration.ofMillis(100));
    Duration idle = duration("--idle-timeout", idleTimeout, Duration.ofMillis(100));
    return new ConnectionLimits(connections, connections, request, idle);
  }

  /** {@code --issuers}: the fleet's declarations, and the server-wide settings that still apply to every issuer. */
  private ServeConfig fleetConfig() throws ConfigException {
    for (String single : List.of("--issuer-url", "--keys", "--source", "--store", "--state-file", "--configmap")) {
      if (given(single)) {
        throw new ConfigException(flag(single), "is for a single issuer; with --issuers each issuer declares its own "
            + "(see docs/fleet.md): remove it");
      }
    }
    List<String> prefixes = new ArrayList<>();
    for (String p : issuerUrlPrefixes) {
      if (p.isBlank()) {
        continue;
      }
      try {
        IssuerUrl.parse(p.strip());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(flag("--issuer-url-prefix"), e.getMessage().replace("issuer", "prefix"));
      }
      prefixes.add(p.strip());
    }
    boolean kubernetes = FleetSettings.KUBERNETES_VALUE.equals(issuers.strip());
    FleetSettings fleet;
    ClusterSettings cluster = null;
    Path kubeconfigFile = null;
    String noCluster = null;
    if (kubernetes) {
      if (given("--state-dir")) {
        throw new ConfigException(flag("--state-dir"), "is only for --issuers FILE; with --issuers kubernetes each "
            + "issuer's state lives in its OIDCIssuer's status");
      }
      List<String> namespaces = new ArrayList<>();
      for (String ns : watchNamespaces) {
        if (ns.isBlank()) {
          continue;
        }
        if (!ResourceNames.isDnsLabel(ns.strip())) {
          throw new ConfigException(flag("--watch-namespaces"), "'" + ns + "' is not a namespace name");
        }
        namespaces.add(ns.strip());
      }
      kubeconfigFile = kubeconfig(SourceType.KUBERNETES, StoreType.CONFIGMAP);
      // As for one issuer: without a cluster, stop with the reason once the other flags are checked.
      ClusterLocation location = clusterLocation != null ? clusterLocation : ClusterLocation.of(environment);
      noCluster = kubeconfigFile == null && !location.found()
          ? location.notFound("--issuers FILE (issuers declared in a file, docs/fleet.md)") : null;
      cluster = cluster(kubeconfigFile, noCluster == null);
      fleet = FleetSettings.kubernetes(prefixes, namespaces);
    } else {
      if (given("--watch-namespaces")) {
        throw new ConfigException(flag("--watch-namespaces"), "is only for --issuers kubernetes");
      }
      Path file = Path.of(issuers.strip());
      if (!Files.isRegularFile(file)) {
        throw new ConfigException(flag("--issuers"), file + " is not a file; name an issuers file (docs/fleet.md), or use "
            + "--issuers kubernetes to serve the cluster's OIDCIssuer objects");
      }
      fleet = FleetSettings.file(file.toAbsolutePath(), stateDirectory(), prefixes);
    }
    int publicPort = port("--port", port);
    int mgmtPort = port("--management-port", managementPort);
    if (publicPort == mgmtPort && publicPort != 0) {
      throw new ConfigException(flag("--management-port"), "is the same as --port (" + publicPort
          + "); the management port must be separate so no Ingress exposes it");
    }
    if (bind == null || bind.isBlank()) {
      throw new ConfigException(flag("--bind"), "is empty; use an address such as 0.0.0.0 or 127.0.0.1");
    }
    // The issuers name their mirrors (spec.mirrors); these settings apply to all of them.
    URI fleetMirrorEndpoint = mirrorEndpoint == null || mirrorEndpoint.isBlank() ? null
        : endpointUrl("--mirror-endpoint", mirrorEndpoint, "https://minio.example.com:9000");
    URI fleetGcpIam = gcpIamEndpoint == null || gcpIamEndpoint.isBlank() ? null
        : endpointUrl("--gcp-iam-endpoint", gcpIamEndpoint, "https://iam.googleapis.com");
    if (given("--mirror")) {
      throw new ConfigException(flag("--mirror"), "is for a single issuer; with --issuers each issuer names its own "
          + "mirrors (spec.mirrors): remove it");
    }
    ServeConfig config = ServeConfig.fleetBuilder(fleet)
        .mirrorEndpoint(fleetMirrorEndpoint)
        .mirrorRegion(regionName())
        .gcpIamEndpoint(fleetGcpIam)
        .mirrorResync(duration("--mirror-resync", mirrorResync, Duration.ofSeconds(1)))
        .bind(bind.strip())
        .port(publicPort)
        .managementPort(mgmtPort)
        .overlap(duration("--overlap", overlap, Duration.ofSeconds(1)))
        .maxAgeSeconds(number("--max-age", maxAge, 0, 31_536_000))
        .maxKeys((int) number("--max-keys", maxKeys, 1, 10_000))
        .pollInterval(duration("--poll-interval", pollInterval, Duration.ofSeconds(1)))
        .kubeconfig(kubeconfigFile)
        .tls(tlsFiles())
        .cluster(cluster)
        .limits(connectionLimits())
        .h2c(h2c)
        .build();
    if (noCluster != null) {
      throw new ConfigException("--kubeconfig", noCluster);
    }
    return config;
  }

  private Path stateDirectory() throws ConfigException {
    if (stateDir == null || stateDir.isBlank()) {
      return null;
    }
    Path dir = Path.of(stateDir.strip()).toAbsolutePath();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ConfigException(flag("--state-dir"), "cannot create " + dir + " (" + e.getMessage()
          + "); mount a writable volume there or choose another directory");
    }
    if (!Files.isWritable(dir)) {
      throw new ConfigException(flag("--state-dir"), dir + " is not writable; mount a writable volume there");
    }
    return dir;
  }

  /** Whether the flag was given, on the command line or through its environment twin. */
  private boolean given(String name) {
    boolean onCommandLine = spec != null && spec.commandLine().getParseResult() != null
        && spec.commandLine().getParseResult().hasMatchedOption(name);
    return onCommandLine || environment.suppliedBy(name) != null;
  }

  private List<Path> keyPaths() throws ConfigException {
    return KeysFlag.paths(flag("--keys"), keys, " with --source files");
  }

  /** Keys given with another source would be silently ignored; refusing them avoids serving the wrong keys. */
  private List<Path> noKeyPaths() throws ConfigException {
    if (keys.stream().anyMatch(k -> !k.isBlank())) {
      throw new ConfigException(flag("--keys"), "is only for --source files; add --source files to serve key files "
          + "(the default source, kubernetes, reads the keys from the API server), or remove --keys (or KUBEASSUME_KEYS)");
    }
    return List.of();
  }

  private StoreType storeType(SourceType sourceType) throws ConfigException {
    if (store == null || store.isBlank()) {
      return StoreType.defaultFor(sourceType);
    }
    try {
      return StoreType.fromFlag(store.strip());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(flag("--store"), e.getMessage());
    }
  }

  /**
   * The ConfigMap, the Lease, where they live and who this replica is.
   *
   * @param clusterFound false when there is no cluster (reported after the other flags): the namespace is then not
   *     looked for, only checked if given
   */
  private ClusterSettings cluster(Path kubeconfigFile, boolean clusterFound) throws ConfigException {
    NamespaceResolver namespaces = new NamespaceResolver(environment.variables(), NamespaceResolver.IN_CLUSTER_NAMESPACE_FILE,
        () -> KubeconfigNamespace.of(kubeconfigFile, environment.get("KUBECONFIG")));
    String namespace = clusterFound || (leaderElectionNamespace != null && !leaderElectionNamespace.isBlank())
        ? namespaces.resolve(leaderElectionNamespace) : "default";
    String cm = objectName("--configmap", configMap);
    String lease = objectName("--lease-name", leaseName);
    Duration leaseFor = duration("--lease-duration", leaseDuration, Duration.ofSeconds(1));
    Duration renew = duration("--renew-deadline", renewDeadline, Duration.ofMillis(500));
    Duration retry = duration("--retry-period", retryPeriod, Duration.ofMillis(100));
    if (leaseFor.compareTo(renew) <= 0) {
      throw new ConfigException(flag("--lease-duration"), Durations.format(leaseFor) + " must be longer than "
          + "--renew-deadline (" + Durations.format(renew) + "), e.g. 15s with 10s");
    }
    if (renew.toMillis() <= retry.toMillis() * 1.2) {
      throw new ConfigException(flag("--renew-deadline"), Durations.format(renew) + " must be longer than 1.2 x "
          + "--retry-period (" + Durations.format(retry) + "), e.g. 10s with 2s");
    }
    return new ClusterSettings(namespace, cm, lease, LeaderIdentity.of(environment), leaseFor, renew, retry);
  }

  private String objectName(String name, String value) throws ConfigException {
    if (value == null || !ResourceNames.isDnsSubdomain(value.strip())) {
      throw new ConfigException(flag(name), "'" + value + "' is not a Kubernetes object name (lower-case letters, "
          + "digits, '-' and '.', at most 253)");
    }
    return value.strip();
  }

  private Path kubeconfig(SourceType sourceType, StoreType storeType) throws ConfigException {
    if (kubeconfig == null || kubeconfig.isBlank()) {
      return null;
    }
    if (sourceType != SourceType.KUBERNETES && storeType != StoreType.CONFIGMAP) {
      throw new ConfigException(flag("--kubeconfig"), "is only for --source kubernetes or --store configmap; remove it "
          + "(or KUBEASSUME_KUBECONFIG), or add --source kubernetes or --store configmap");
    }
    Path file = Path.of(kubeconfig.strip());
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(flag("--kubeconfig"), file + " does not exist or is not a file; name a kubeconfig file, "
          + "or leave it out to use the in-cluster service account");
    }
    if (!Files.isReadable(file)) {
      throw new ConfigException(flag("--kubeconfig"), file + " is not readable by this user");
    }
    return file;
  }

  /** Both or neither: a certificate without its key (or the reverse) is a half-done TLS setup, not plain http. */
  private TlsFiles tlsFiles() throws ConfigException {
    boolean cert = tlsCert != null && !tlsCert.isBlank();
    boolean key = tlsKey != null && !tlsKey.isBlank();
    if (!cert && !key) {
      return null;
    }
    if (!key) {
      throw new ConfigException(flag("--tls-key"), "is required with --tls-cert: name the certificate's PEM private key "
          + "(e.g. --tls-key /etc/kubeassume/tls/tls.key)");
    }
    if (!cert) {
      throw new ConfigException(flag("--tls-cert"), "is required with --tls-key: name the PEM certificate chain "
          + "(e.g. --tls-cert /etc/kubeassume/tls/tls.crt)");
    }
    return new TlsFiles(readableFile("--tls-cert", tlsCert), readableFile("--tls-key", tlsKey));
  }

  private Path readableFile(String name, String value) throws ConfigException {
    Path file = Path.of(value.strip());
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(flag(name), file + " does not exist or is not a file");
    }
    if (!Files.isReadable(file)) {
      throw new ConfigException(flag(name), file + " is not readable by this user");
    }
    return file;
  }

  private List<MirrorLocation> mirrorLocations() throws ConfigException {
    List<MirrorLocation> out = new ArrayList<>();
    for (String m : mirrors) {
      if (m.isBlank()) {
        continue;
      }
      MirrorLocation location;
      try {
        location = MirrorLocation.parse(m);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(flag("--mirror"), e.getMessage());
      }
      if (out.contains(location)) {
        throw new ConfigException(flag("--mirror"), "'" + location + "' is given twice; name each mirror once");
      }
      out.add(location);
    }
    return out;
  }

  private URI mirrorEndpoint(List<MirrorLocation> locations) throws ConfigException {
    if (mirrorEndpoint == null || mirrorEndpoint.isBlank()) {
      return null;
    }
    if (locations.stream().noneMatch(MirrorLocation::isObjectStore)) {
      throw new ConfigException(flag("--mirror-endpoint"), "is only for bucket mirrors; add --mirror s3://BUCKET/PREFIX "
          + "or remove it" + (locations.isEmpty() ? "" : " (gcp-wif mirrors take --gcp-iam-endpoint)"));
    }
    return endpointUrl("--mirror-endpoint", mirrorEndpoint, "https://minio.example.com:9000");
  }

  private URI gcpIamEndpoint(List<MirrorLocation> locations) throws ConfigException {
    if (gcpIamEndpoint == null || gcpIamEndpoint.isBlank()) {
      return null;
    }
    if (locations.stream().allMatch(MirrorLocation::isObjectStore)) {
      throw new ConfigException(flag("--gcp-iam-endpoint"), "is only for gcp-wif mirrors; add --mirror "
          + "gcp-wif://projects/PROJECT/locations/global/workloadIdentityPools/POOL/providers/PROVIDER or remove it");
    }
    return endpointUrl("--gcp-iam-endpoint", gcpIamEndpoint, "https://iam.googleapis.com");
  }

  private URI endpointUrl(String name, String value, String example) throws ConfigException {
    URI uri;
    try {
      uri = new URI(value.strip());
    } catch (URISyntaxException e) {
      throw new ConfigException(flag(name), "'" + value + "' is not a URL; use e.g. " + example);
    }
    if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
        || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      throw new ConfigException(flag(name), "'" + value + "' must be an http(s) URL with a host and "
          + "no query or credentials, e.g. " + example);
    }
    return uri;
  }

  private String mirrorRegion(List<MirrorLocation> locations) throws ConfigException {
    if (mirrorRegion == null || mirrorRegion.isBlank()) {
      return null;
    }
    if (locations.stream().noneMatch(MirrorLocation::isObjectStore)) {
      throw new ConfigException(flag("--mirror-region"), "is only for bucket mirrors; add --mirror s3://BUCKET/PREFIX or "
          + "remove it");
    }
    return regionName();
  }

  /** {@code --mirror-region} checked as a region name; null without it. */
  private String regionName() throws ConfigException {
    if (mirrorRegion == null || mirrorRegion.isBlank()) {
      return null;
    }
    String r = mirrorRegion.strip();
    if (!r.matches("[a-z0-9][a-z0-9-]*[a-z0-9]")) {
      throw new ConfigException(flag("--mirror-region"), "'" + mirrorRegion + "' is not a region name; use e.g. eu-west-1 or us-ashburn-1");
    }
    return r;
  }

  private Path stateFile() throws ConfigException {
    if (stateFile == null || stateFile.isBlank()) {
      return null;
    }
    Path file = Path.of(stateFile.strip()).toAbsolutePath();
    if (Files.isDirectory(file)) {
      throw new ConfigException(flag("--state-file"), file + " is a directory; name a file in it, e.g. "
          + file.resolve("state.json"));
    }
    Path dir = file.getParent();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ConfigException(flag("--state-file"), "cannot create " + dir + " (" + e.getMessage()
          + "); mount a writable volume there or choose another path");
    }
    if (!Files.isWritable(dir)) {
      throw new ConfigException(flag("--state-file"), dir + " is not writable; mount a writable volume there "
          + "or choose another path");
    }
    return file;
  }

  private int port(String name, String value) throws ConfigException {
    return (int) number(name, value, 0, 65535);
  }

  private long number(String name, String value, long min, long max) throws ConfigException {
    long n;
    try {
      n = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new ConfigException(flag(name), "'" + value + "' is not a number; use a whole number from " + min + " to " + max);
    }
    if (n < min || n > max) {
      throw new ConfigException(flag(name), n + " is out of range; use a whole number from " + min + " to " + max);
    }
    return n;
  }

  private Duration duration(String name, String value, Duration min) throws ConfigException {
    Duration d;
    try {
      d = Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(flag(name), e.getMessage());
    }
    if (d.compareTo(min) < 0) {
      throw new ConfigException(flag(name), value + " is too short; use at least " + Durations.format(min));
    }
    return d;
  }

  /** The flag's name, plus the environment variable if that is where the bad value came from. */
  private String flag(String name) {
    boolean onCommandLine = spec != null && spec.commandLine().getParseResult() != null
        && spec.commandLine().getParseResult().hasMatchedOption(name);
    String variable = onCommandLine ? null : environment.suppliedBy(name);
    return variable == null ? name : name + " (from " + variable + ")";
  }
}
