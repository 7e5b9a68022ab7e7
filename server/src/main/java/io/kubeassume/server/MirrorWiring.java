package io.kubeassume.server;

import io.kubeassume.document.IssuerUrl;
import io.kubeassume.config.ConfigException;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.gcp.GcpWifTargets;
import io.kubeassume.mirror.DocumentPublisher;
import io.kubeassume.mirror.MirrorConfigException;
import io.kubeassume.mirror.MirrorLocation;
import io.kubeassume.mirror.MirrorOptions;
import io.kubeassume.mirror.MirrorTarget;
import io.kubeassume.mirror.MirrorTargets;
import io.kubeassume.mirror.MirrorVerticle;
import io.kubeassume.mirror.TargetStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Connects {@code --mirror} to the server: builds the targets, buckets and gcp-wif providers (off the event loop:
 * SDK clients look up regions and credentials), deploys the {@link MirrorVerticle} (whose start checks every
 * target) and feeds it each snapshot the sync loop serves. Without {@code --mirror}, does nothing.
 */
public final class MirrorWiring {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MirrorWiring.class);

  /** One issuer's mirrors and what they need: its URL (gcp-wif records it), max-age, and the server-wide mirror settings. */
  /** @param issuerId a fleet issuer's id (the {@code issuer} label of its mirror series), or null for the single issuer */
  public record Settings(List<MirrorLocation> mirrors, IssuerUrl issuer, long maxAgeSeconds, URI mirrorEndpoint,
      String mirrorRegion, URI gcpIamEndpoint, Duration resync, String issuerId) {
    public Settings {
      mirrors = List.copyOf(mirrors);
    }

    static Settings of(ServeConfig config) {
      return new Settings(config.mirrors(), config.issuer(), config.maxAgeSeconds(), config.mirrorEndpoint(),
          config.mirrorRegion(), config.gcpIamEndpoint(), config.mirrorResync(), null);
    }
  }

  private final Vertx vertx;
  private final Settings config;
  private final MeterRegistry registry;
  private final CurrentDocuments documents;
  private final BooleanSupplier writesProviders;
  private volatile MirrorVerticle verticle;
  private java.util.function.Consumer<io.kubeassume.document.Snapshot> feed;

  /**
   * @param writesProviders whether this replica writes to gcp-wif providers now: IAM has no conditional update,
   *     so one replica writes (the leader with the ConfigMap store; a replica alone always)
   */
  MirrorWiring(Vertx vertx, ServeConfig config, MeterRegistry registry, CurrentDocuments documents,
      BooleanSupplier writesProviders) {
    this(vertx, Settings.of(config), registry, documents, writesProviders);
  }

  /** One fleet issuer's mirrors. */
  public MirrorWiring(Vertx vertx, Settings config, MeterRegistry registry, CurrentDocuments documents,
      BooleanSupplier writesProviders) {
    this.vertx = vertx;
    this.config = config;
    this.registry = registry;
    this.documents = documents;
    this.writesProviders = writesProviders;
  }

  /** Fails with a ConfigException for a flag problem, or a MirrorException naming the target that failed its check. */
  public Future<Void> start() {
    if (config.mirrors().isEmpty()) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(this::createMirrors, false)
        .compose(mirrors -> {
          MirrorVerticle v = new MirrorVerticle(mirrors, config.resync(), registry, java.time.Clock.systemUTC(), config.issuerId());
          return vertx.deployVerticle(v).map(id -> v);
        })
        .map(v -> {
          warnIfTheIssuerPathDiffers();
          verticle = v;
          feed = v::offer;
          documents.onChange(feed);
          documents.snapshot().ifPresent(v::offer);
          return null;
        });
  }

  /**
   * A cloud fetches {@code <issuer>/.well-known/openid-configuration}. If the bucket is the
   * issuer's host, the object must sit under the issuer's path; a CDN may map paths, so warn only.
   */
  private void warnIfTheIssuerPathDiffers() {
    String discovery = config.issuer().discoveryPath();
    String issuerPath = discovery.substring(0, discovery.length() - "/.well-known/openid-configuration".length());
    issuerPath = issuerPath.startsWith("/") ? issuerPath.substring(1) : issuerPath;
    for (MirrorLocation m : config.mirrors()) {
      if (m.isObjectStore() && !m.prefix().equals(issuerPath)) {
        log.warn("mirror {} writes under '{}' but the issuer {} has the path '{}': serving the issuer from this bucket "
            + "needs the prefix to equal the issuer's path (unless a CDN maps it)", m, m.prefix(), config.issuer(), issuerPath);
      }
    }
  }

  /** Stops publishing (a fleet issuer removed, or this replica stopped writing); its metrics go too. */
  public Future<Void> stop() {
    MirrorVerticle v = verticle;
    verticle = null;
    if (feed != null) {
      documents.removeListener(feed);
      feed = null;
    }
    return v == null ? Future.succeededFuture() : vertx.undeploy(v.deploymentID());
  }

  /** For /readyz; empty without mirrors. */
  public List<TargetStatus> status() {
    MirrorVerticle v = verticle;
    return v == null ? List.of() : v.status();
  }

  private List<MirrorVerticle.Mirror> createMirrors() throws ConfigException {
    MirrorOptions options = new MirrorOptions(config.mirrorEndpoint(), config.mirrorRegion());
    Duration maxAge = Duration.ofSeconds(config.maxAgeSeconds());
    List<MirrorVerticle.Mirror> mirrors = new ArrayList<>();
    try {
      for (MirrorLocation location : config.mirrors()) {
        if (location.isObjectStore()) {
          MirrorTarget target = MirrorTargets.create(location, options);
          mirrors.add(new MirrorVerticle.Mirror(location, target, new DocumentPublisher(target, location.keyPrefix(), maxAge)));
        } else {
          mirrors.add(new MirrorVerticle.Mirror(location,
              GcpWifTargets.create(location, config.issuer(), config.gcpIamEndpoint(), writesProviders)));
        }
      }
      return mirrors;
    } catch (MirrorConfigException e) {
      close(mirrors);
      throw new ConfigException(e.flag(), e.problem());
    } catch (RuntimeException e) {
      close(mirrors);
      throw e;
    }
  }

  private static void close(List<MirrorVerticle.Mirror> mirrors) {
    for (MirrorVerticle.Mirror m : mirrors) {
      try {
        m.publisher().close();
      } catch (Exception ignored) {
        // start-up is failing anyway; the first error is the one to report
      }
    }
  }
}
