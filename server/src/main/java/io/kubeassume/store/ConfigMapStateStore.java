package io.kubeassume.store;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.document.Snapshot;
import io.kubeassume.keys.InvalidKeyException;
import io.kubeassume.merge.MergeState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared state in one ConfigMap ({@code --store configmap}). Only the elected leader saves;
 * every save carries the resourceVersion last seen, so a concurrent change fails with 409
 * instead of being overwritten: the store then re-reads and the caller re-merges.
 *
 * <p>Every replica feeds what it sees of the ConfigMap (its own reads and writes, and the
 * {@link ConfigMapWatcher}'s events) through {@link #observe}: valid content is served, invalid
 * content is counted, shown on /readyz and not served (the last good documents stay up), and
 * the leader is asked to repair it. fabric8's calls block, so they run on worker threads.
 */
public final class ConfigMapStateStore implements StateStore {
  private static final Logger log = LoggerFactory.getLogger(ConfigMapStateStore.class);
  static final Map<String, String> LABELS = Map.of("app.kubernetes.io/name", "kubeassume",
      "app.kubernetes.io/component", "oidc-documents");

  /** What the ConfigMap held when last seen. {@code valid} is null when it was missing or invalid. */
  private record Observed(boolean known, boolean exists, String resourceVersion, MergeState valid) {
    static final Observed UNKNOWN = new Observed(false, false, null, null);
    static final Observed ABSENT = new Observed(true, false, null, null);
  }

  /** The last problem with the ConfigMap (invalid content, a failed write), for /readyz. */
  public record Problem(String message, Instant at) {}

  private final Vertx vertx;
  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final IssuerUrl issuer;
  private final ConfigMapMetrics metrics;
  private final Consumer<Snapshot> serve;
  private final Runnable repairNeeded;
  private final Clock clock;

  private final Object lock = new Object();
  private Observed observed = Observed.UNKNOWN;
  private MergeState lastGood;
  private volatile Problem lastProblem;

  /**
   * @param serve receives every new valid snapshot, in resourceVersion order
   * @param repairNeeded called (on any thread) when the ConfigMap turns invalid or disappears
   */
  public ConfigMapStateStore(Vertx vertx, KubernetesClient client, String namespace, String name, IssuerUrl issuer,
      ConfigMapMetrics metrics, Consumer<Snapshot> serve, Runnable repairNeeded, Clock clock) {
    this.vertx = vertx;
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.issuer = issuer;
    this.metrics = metrics;
    this.serve = serve;
    this.repairNeeded = repairNeeded;
    this.clock = clock;
  }

  @Override
  public String describe() {
    return "configmap " + namespace + "/" + name;
  }

  public String namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  public Optional<Problem> lastProblem() {
    return Optional.ofNullable(lastProblem);
  }

  Resource<ConfigMap> resource() {
    return client.configMaps().inNamespace(namespace).withName(name);
  }

  /** Reads the ConfigMap now; the state to merge onto: its content if valid, else the last good one, else EMPTY. */
  @Override
  public Future<MergeState> load() {
    return vertx.executeBlocking(() -> {
      reread();
      return latest().orElse(MergeState.EMPTY);
    }, false);
  }

  @Override
  public Future<Void> save(MergeState state) {
    return vertx.executeBlocking(() -> {
      write(state);
      return null;
    }, false);
  }

  @Override
  public Optional<MergeState> latest() {
    synchronized (lock) {
      return Optional.ofNullable(observed.valid != null ? observed.valid : lastGood);
    }
  }

  @Override
  public boolean needsWrite(MergeState state) {
    synchronized (lock) {
      return observed.valid == null || !observed.valid.sameAs(state);
    }
  }

  private void reread() {
    try {
      observe(resource().get());
    } catch (KubernetesClientException e) {
      problem("cannot read " + describe() + ": " + reason(e));
      throw e;
    }
  }

  /** Blocking CAS write: update at the last seen resourceVersion, or create if none was seen. */
  private void write(MergeState state) throws StateConflictException {
    Observed seen;
    synchronized (lock) {
      seen = observed;
    }
    if (!seen.known) {
      // Never seen: the caller merged onto a guess. Read it, and let the caller merge onto what is there.
      reread();
      throw new StateConflictException(describe() + " had not been read yet");
    }
    ConfigMap desired = new ConfigMapBuilder()
        .withNewMetadata()
          .withName(name).withNamespace(namespace).withResourceVersion(seen.exists ? seen.resourceVersion : null)
          .withLabels(LABELS)
        .endMetadata()
        .withData(ConfigMapCodec.encode(issuer, state))
        .build();
    ConfigMap written;
    try {
      written = seen.exists
          ? client.configMaps().inNamespace(namespace).resource(desired).update()
          : client.configMaps().inNamespace(namespace).resource(desired).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        metrics.conflict.increment();
        // Someone else wrote since we read: re-read now so the caller re-merges onto their version.
        reread();
        throw new StateConflictException(describe() + " changed since it was read (resourceVersion "
            + seen.resourceVersion + "); re-read it to merge again");
      }
      metrics.error.increment();
      problem("cannot write " + describe() + ": " + reason(e));
      throw e;
    }
    metrics.written.increment();
    observe(written);
  }

  /**
   * Takes in what the ConfigMap holds now (null: it does not exist). Older resourceVersions than
   * the one already seen are ignored, so a late watch event cannot roll back what is served.
   */
  public void observe(ConfigMap cm) {
    boolean damaged;
    synchronized (lock) {
      if (cm == null) {
        damaged = observed.exists || !observed.known;
        observed = Observed.ABSENT;
      } else {
        String rv = cm.getMetadata().getResourceVersion();
        if (observed.exists && (rv == null || rv.equals(observed.resourceVersion) || older(rv, observed.resourceVersion))) {
          return;
        }
        damaged = !accept(cm, rv);
      }
    }
    if (damaged) {
      repairNeeded.run();
    }
  }

  /** Validates and, if valid, serves; returns false for invalid content. Holds the lock. */
  private boolean accept(ConfigMap cm, String rv) {
    try {
      ConfigMapCodec.Decoded decoded = ConfigMapCodec.decode(describe(), issuer, cm.getData());
      observed = new Observed(true, true, rv, decoded.state());
      lastGood = decoded.state();
      serve.accept(decoded.snapshot());
      lastProblem = null;
      return true;
    } catch (InvalidKeyException | RuntimeException e) {
      observed = new Observed(true, true, rv, null);
      metrics.rejected.increment();
      String message = "rejected " + describe() + " at resourceVersion " + rv + " and kept serving the last good "
          + "documents: " + e.getMessage();
      log.warn("{}; the leader rewrites it", message);
      lastProblem = new Problem(message, clock.instant());
      return false;
    }
  }

  /** The deletion seen by the watcher: the leader re-creates the ConfigMap from the last good state. */
  public void observeDeleted() {
    observe(null);
  }

  private void problem(String message) {
    lastProblem = new Problem(message, clock.instant());
  }

  /** resourceVersions are opaque, but the API server's (and the mock's) are increasing integers; compare those. */
  private static boolean older(String candidate, String seen) {
    try {
      return Long.parseLong(candidate) < Long.parseLong(seen);
    } catch (NumberFormatException | NullPointerException e) {
      return false;
    }
  }

  private static String reason(KubernetesClientException e) {
    if (e.getCode() == 403) {
      return "HTTP 403: the service account needs get/list/watch/create/update on this ConfigMap (see docs/security.md)";
    }
    return e.getCode() > 0 ? "HTTP " + e.getCode() + " " + e.getMessage() : String.valueOf(e.getMessage());
  }
}
