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
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
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
 *
 * <p>The leader also records its last sync outcome in the {@link ConfigMapSyncStatus#ANNOTATION}
 * annotation: with every state write after a read of the source ({@link #save}; an expiry or a
 * repair, {@link #rewrite}, carries the status unchanged, since the source may be failing), and
 * with one annotation-only write when the outcome changes (an API server error, an issuer
 * mismatch, recovery, a new leader). Every replica reads it from what it observes, so a
 * follower's /readyz shows the leader's errors. A ConfigMap with no data (the status of a leader
 * that never had a valid key set, e.g. on an issuer mismatch) is "no documents yet", not invalid.
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

  /** Annotation the leader writes when it replaces invalid content: which resourceVersion, why, when. */
  public static final String REPAIRED_ANNOTATION = "kubeassume.io/repaired";

  /** Invalid content seen at {@code resourceVersion}, remembered so the repairing write can say what it replaced. */
  private record Rejection(String resourceVersion, String reason, Instant at) {}

  private final Vertx vertx;
  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final IssuerUrl issuer;
  private final String identity;
  private final ConfigMapMetrics metrics;
  private final Consumer<Snapshot> serve;
  private final Runnable repairNeeded;
  private final Clock clock;

  private final Object lock = new Object();
  private Observed observed = Observed.UNKNOWN;
  private MergeState lastGood;
  /** The whole ConfigMap last observed (null: none or absent), the base of annotation-only writes. */
  private ConfigMap lastSeen;
  /** The data last served, so an annotation-only change does not re-serve the same documents. */
  private Map<String, String> servedData;
  private volatile Problem lastProblem;
  private Rejection rejection;
  /** The status annotation on the ConfigMap as last observed (any leader's). */
  private volatile ConfigMapSyncStatus reported;
  /** This replica's own latest sync outcome, as leader; only touched by the sync loop's calls. */
  private volatile ConfigMapSyncStatus own;

  /**
   * @param identity this replica's leader identity, written into the status annotation
   * @param serve receives every new valid snapshot, in resourceVersion order
   * @param repairNeeded called (on any thread) when the ConfigMap turns invalid or disappears
   */
  public ConfigMapStateStore(Vertx vertx, KubernetesClient client, String namespace, String name, IssuerUrl issuer,
      String identity, ConfigMapMetrics metrics, Consumer<Snapshot> serve, Runnable repairNeeded, Clock clock) {
    this.vertx = vertx;
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.issuer = issuer;
    this.identity = identity;
    this.metrics = metrics;
    this.serve = serve;
    this.repairNeeded = repairNeeded;
    this.clock = clock;
    metrics.reportedStatus(this);
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

  /** The leader's sync status as the ConfigMap's annotation said when last observed. */
  public Optional<ConfigMapSyncStatus> reportedStatus() {
    return Optional.ofNullable(reported);
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
      write(state, true);
      return null;
    }, false);
  }

  /** An expiry or a repair: the status annotation stays what the leader's last sync reported (the source may be failing). */
  @Override
  public Future<Void> rewrite(MergeState state) {
    return vertx.executeBlocking(() -> {
      write(state, false);
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

  /**
   * Blocking CAS write: update at the last seen resourceVersion, or create if none was seen.
   *
   * @param synced the state comes from a successful read of the source, so the status says so
   */
  private void write(MergeState state, boolean synced) throws StateConflictException {
    Observed seen;
    synchronized (lock) {
      seen = observed;
    }
    if (!seen.known) {
      // Never seen: the caller merged onto a guess. Read it, and let the caller merge onto what is there.
      reread();
      throw new StateConflictException(describe() + " had not been read yet");
    }
    // A synced state write is a successful sync: the status it carries says so, so no second write is needed.
    // An expiry or repair keeps the status of the last sync (null: none yet, the annotation stays as seen).
    ConfigMapSyncStatus status = synced ? ConfigMapSyncStatus.succeeded(identity, own != null ? own : reported, clock.instant())
        : own;
    ConfigMap desired = new ConfigMapBuilder()
        .withNewMetadata()
          .withName(name).withNamespace(namespace).withResourceVersion(seen.exists ? seen.resourceVersion : null)
          .withLabels(LABELS)
          .withAnnotations(annotations(status, repairOf(seen)))
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
    if (status != null) {
      own = status;
    }
    observe(written);
  }

  /** The repair note if this write replaces the invalid content seen at {@code seen}'s resourceVersion, else null. */
  private String repairOf(Observed seen) {
    synchronized (lock) {
      Rejection r = rejection;
      if (r == null || !seen.exists || seen.valid != null || !r.resourceVersion.equals(seen.resourceVersion)) {
        return null;
      }
      return new io.vertx.core.json.JsonObject().put("rejectedResourceVersion", r.resourceVersion)
          .put("reason", r.reason).put("rejectedAt", r.at.toString()).put("repairedAt", clock.instant().toString())
          .put("by", identity).encode();
    }
  }

  /** The annotations of the last seen ConfigMap (others' are kept) with {@code status} (if not null) and a repair note in ours. */
  private Map<String, String> annotations(ConfigMapSyncStatus status, String repair) {
    Map<String, String> out = new HashMap<>();
    synchronized (lock) {
      if (lastSeen != null && lastSeen.getMetadata().getAnnotations() != null) {
        out.putAll(lastSeen.getMetadata().getAnnotations());
      }
    }
    if (status != null) {
      out.put(ConfigMapSyncStatus.ANNOTATION, status.encode());
    }
    if (repair != null) {
      out.put(REPAIRED_ANNOTATION, repair);
    }
    return out;
  }

  /**
   * Records the leader's sync outcome. Writes the annotation only when it tells a different story
   * than the one on the ConfigMap (at most one request per change); a steady leader writes nothing.
   * Never fails: the status is a report, and the next sync reports again.
   */
  @Override
  public Future<Void> reportSync(boolean succeeded, String error, long consecutiveFailures) {
    ConfigMapSyncStatus previous = own != null ? own : reported;
    Instant now = clock.instant();
    ConfigMapSyncStatus status = succeeded
        ? ConfigMapSyncStatus.succeeded(identity, previous, now)
        : ConfigMapSyncStatus.failed(identity, previous, error, now, consecutiveFailures);
    own = status;
    if (status.sameOutcome(reported)) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      writeStatus(status);
      return null;
    }, false).<Void>mapEmpty().otherwise((Void) null);
  }

  /** Blocking annotation-only write at the last seen resourceVersion (the data stays as it is), or a data-less create. */
  private void writeStatus(ConfigMapSyncStatus status) {
    Observed seen;
    ConfigMap base;
    synchronized (lock) {
      seen = observed;
      base = lastSeen;
    }
    try {
      if (!seen.known) {
        reread();
        synchronized (lock) {
          seen = observed;
          base = lastSeen;
        }
      }
      ConfigMap desired = seen.exists && base != null
          ? new ConfigMapBuilder(base).editMetadata().withAnnotations(annotations(status, null)).endMetadata().build()
          : new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace).withLabels(LABELS)
              .withAnnotations(annotations(status, null)).endMetadata().build();
      ConfigMap written = seen.exists
          ? client.configMaps().inNamespace(namespace).resource(desired).update()
          : client.configMaps().inNamespace(namespace).resource(desired).create();
      metrics.written.increment();
      observe(written);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        // Someone wrote since we read: re-read, and the next sync reports onto that version.
        metrics.conflict.increment();
        try {
          reread();
        } catch (KubernetesClientException ignored) {
          // counted as the store's last problem by reread
        }
      } else {
        metrics.error.increment();
      }
      log.debug("cannot write the sync status to {}: {}", describe(), reason(e));
    }
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
        lastSeen = null;
        servedData = null;
      } else {
        String rv = cm.getMetadata().getResourceVersion();
        if (observed.exists && (rv == null || rv.equals(observed.resourceVersion) || older(rv, observed.resourceVersion))) {
          return;
        }
        lastSeen = cm;
        Map<String, String> annotations = cm.getMetadata().getAnnotations();
        reported = ConfigMapSyncStatus.decode(annotations == null ? null : annotations.get(ConfigMapSyncStatus.ANNOTATION))
            .orElse(reported);
        if (cm.getData() == null || cm.getData().isEmpty()) {
          // Only a status so far (no valid key set was ever synced), or emptied by hand: nothing to serve or reject.
          observed = new Observed(true, true, rv, null);
          servedData = null;
          damaged = lastGood != null;
        } else {
          damaged = !accept(cm, rv);
        }
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
      if (!Objects.equals(servedData, cm.getData())) {
        // An annotation-only change (the sync status) does not serve the same documents again.
        serve.accept(decoded.snapshot());
        servedData = Map.copyOf(cm.getData());
      }
      lastProblem = null;
      return true;
    } catch (InvalidKeyException | RuntimeException e) {
      observed = new Observed(true, true, rv, null);
      servedData = null;
      metrics.rejected.increment();
      String message = "rejected " + describe() + " at resourceVersion " + rv + " and kept serving the last good "
          + "documents: " + e.getMessage();
      log.warn("{}; the leader rewrites it", message);
      lastProblem = new Problem(message, clock.instant());
      rejection = new Rejection(rv, e.getMessage(), clock.instant());
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
