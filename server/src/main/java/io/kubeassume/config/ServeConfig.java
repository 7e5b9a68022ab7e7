package io.kubeassume.config;

import io.kubeassume.document.IssuerUrl;
import io.kubeassume.mirror.MirrorLocation;
import io.kubeassume.server.guard.ConnectionLimits;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Validated settings of {@code kubeassume serve}. Built by the CLI from flags and environment, or
 * directly by tests and embedders through {@link #builder(IssuerUrl)}.
 */
public record ServeConfig(
    IssuerUrl issuer,
    SourceType source,
    List<Path> keys,
    String bind,
    int port,
    int managementPort,
    Duration overlap,
    long maxAgeSeconds,
    int maxKeys,
    Path stateFile,
    Duration pollInterval,
    int instances,
    Path kubeconfig,
    TlsFiles tls,
    Duration tlsReloadInterval,
    List<MirrorLocation> mirrors,
    URI mirrorEndpoint,
    String mirrorRegion,
    Duration mirrorResync,
    StoreType store,
    ClusterSettings cluster,
    ConnectionLimits limits,
    boolean h2c,
    Duration livenessLimit,
    URI gcpIamEndpoint,
    FleetSettings fleet) {

  /** How long a public event loop may go without running before /healthz fails. */
  public static final Duration DEFAULT_LIVENESS_LIMIT = Duration.ofSeconds(10);

  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_MANAGEMENT_PORT = 9090;
  public static final String DEFAULT_BIND = "0.0.0.0";
  public static final Duration DEFAULT_OVERLAP = Duration.ofHours(24);
  public static final long DEFAULT_MAX_AGE_SECONDS = 300;
  /** AWS IAM accepts at most 100 keys per JWKS. */
  public static final int DEFAULT_MAX_KEYS = 100;
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(30);
  /** How often --tls-cert/--tls-key are re-read; cert-manager renews days ahead, so seconds are plenty. */
  public static final Duration DEFAULT_TLS_RELOAD_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_MIRROR_RESYNC = Duration.ofMinutes(5);

  public ServeConfig {
    if (fleet == null) {
      Objects.requireNonNull(issuer, "issuer");
    }
    Objects.requireNonNull(source, "source");
    keys = List.copyOf(keys);
    mirrors = List.copyOf(mirrors);
    Objects.requireNonNull(mirrorResync, "mirrorResync");
    if (store == null) {
      store = StoreType.defaultFor(source);
    }
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(livenessLimit, "livenessLimit");
    if (store == StoreType.CONFIGMAP && cluster == null) {
      throw new IllegalArgumentException("the configmap store needs cluster settings (namespace, identity)");
    }
  }

  public static Builder builder(IssuerUrl issuer) {
    return new Builder(issuer);
  }

  /** A fleet: no single issuer, the issuers come from {@code fleet}. */
  public static Builder fleetBuilder(FleetSettings fleet) {
    return new Builder(null).fleet(fleet);
  }

  /** True when this process serves a fleet declared by {@code --issuers}, not the one issuer of {@code --issuer-url}. */
  public boolean isFleet() {
    return fleet != null;
  }

  /** Defaults as documented for each flag. */
  public static final class Builder {
    private final IssuerUrl issuer;
    private SourceType source = SourceType.FILES;
    private List<Path> keys = List.of();
    private String bind = DEFAULT_BIND;
    private int port = DEFAULT_PORT;
    private int managementPort = DEFAULT_MANAGEMENT_PORT;
    private Duration overlap = DEFAULT_OVERLAP;
    private long maxAgeSeconds = DEFAULT_MAX_AGE_SECONDS;
    private int maxKeys = DEFAULT_MAX_KEYS;
    private Path stateFile;
    private Duration pollInterval = DEFAULT_POLL_INTERVAL;
    private int instances = Runtime.getRuntime().availableProcessors();
    /** Null: fabric8's usual resolution (in-cluster, then KUBECONFIG or ~/.kube/config). */
    private Path kubeconfig;
    /** Null: plain HTTP (TLS terminated by the Ingress). */
    private TlsFiles tls;
    private Duration tlsReloadInterval = DEFAULT_TLS_RELOAD_INTERVAL;
    private List<MirrorLocation> mirrors = List.of();
    /** Null: each SDK's own endpoint; null region: each SDK's default region lookup. */
    private URI mirrorEndpoint;
    private String mirrorRegion;
    private Duration mirrorResync = DEFAULT_MIRROR_RESYNC;
    /** Null: the default for the source (configmap with kubernetes, file with files). */
    private StoreType store;
    private ClusterSettings cluster;
    /** Sized from this JVM's heap (docs/security.md). */
    private ConnectionLimits limits = ConnectionLimits.forHeap(Runtime.getRuntime().maxMemory());
    private boolean h2c;
    private Duration livenessLimit = DEFAULT_LIVENESS_LIMIT;
    /** Null: https://iam.googleapis.com, for gcp-wif mirrors. */
    private URI gcpIamEndpoint;
    private FleetSettings fleet;

    private Builder(IssuerUrl issuer) {
      this.issuer = issuer;
    }

    public Builder source(SourceType v) { source = v; return this; }
    public Builder keys(List<Path> v) { keys = v; return this; }
    public Builder bind(String v) { bind = v; return this; }
    public Builder port(int v) { port = v; return this; }
    public Builder managementPort(int v) { managementPort = v; return this; }
    public Builder overlap(Duration v) { overlap = v; return this; }
    public Builder maxAgeSeconds(long v) { maxAgeSeconds = v; return this; }
    public Builder maxKeys(int v) { maxKeys = v; return this; }
    public Builder stateFile(Path v) { stateFile = v; return this; }
    public Builder pollInterval(Duration v) { pollInterval = v; return this; }
    public Builder instances(int v) { instances = v; return this; }
    public Builder kubeconfig(Path v) { kubeconfig = v; return this; }
    public Builder tls(TlsFiles v) { tls = v; return this; }
    public Builder tlsReloadInterval(Duration v) { tlsReloadInterval = v; return this; }
    public Builder mirrors(List<MirrorLocation> v) { mirrors = v; return this; }
    public Builder mirrorEndpoint(URI v) { mirrorEndpoint = v; return this; }
    public Builder mirrorRegion(String v) { mirrorRegion = v; return this; }
    public Builder mirrorResync(Duration v) { mirrorResync = v; return this; }
    public Builder store(StoreType v) { store = v; return this; }
    public Builder cluster(ClusterSettings v) { cluster = v; return this; }
    public Builder limits(ConnectionLimits v) { limits = v; return this; }
    public Builder h2c(boolean v) { h2c = v; return this; }
    public Builder livenessLimit(Duration v) { livenessLimit = v; return this; }
    public Builder gcpIamEndpoint(URI v) { gcpIamEndpoint = v; return this; }
    public Builder fleet(FleetSettings v) { fleet = v; return this; }

    public ServeConfig build() {
      return new ServeConfig(issuer, source, keys, bind, port, managementPort, overlap, maxAgeSeconds, maxKeys,
          stateFile, pollInterval, instances, kubeconfig, tls, tlsReloadInterval, mirrors, mirrorEndpoint, mirrorRegion,
          mirrorResync, store, cluster, limits, h2c, livenessLimit, gcpIamEndpoint, fleet);
    }
  }
}
