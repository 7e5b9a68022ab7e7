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
 * The write side of the shared state in one ConfigMap ({@code --store configmap}): the elected
 * leader's sync loop saves through it; every save carries the resourceVersion last seen, so a
 * concurrent change fails with 409 instead of being overwritten: the store then re-reads and the
 * caller re-merges. What it reads and writes goes to the {@link ConfigMapStateView} (the read side,
 * on every replica), which decides what is served. fabric8's calls block, so they run on worker threads.
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

  /** Annotation the leader writes when it replaces invalid content: which resourceVersion, why, when. */
  public static final String REPAIRED_ANNOTATION = "kubeassume.io/repaired";

  private final Vertx vertx;
  private final KubernetesClient client;
  private final ConfigMapStateView view;
  private final String identity;
  private final ConfigMapMetrics metrics;
  private final Clock clock;
  /** This replica's own latest sync outcome, as leader; only touched by the sync loop's calls. */
  private volatile ConfigMapSyncStatus own;

  /**
   * The leader's writer onto {@code view}.
   *
   * @param identity this replica's leader identity, written into the status annotation
   */
  public ConfigMapStateStore(Vertx vertx, KubernetesClient client, ConfigMapStateView view, String identity,
      ConfigMapMetrics metrics, Clock clock) {
    this.vertx = vertx;
    this.client = client;
    this.view = view;
    this.identity = identity;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * A view and its writer in one, for a process that reads and writes the same ConfigMap (tests).
   *
   * @param serve receives every new valid snapshot, in resourceVersion order
   * @param repairNeeded called (on any thread) when the ConfigMap turns invalid or disappears
   */
  public ConfigMapStateStore(Vertx vertx, KubernetesClient client, String namespace, String name, IssuerUrl issuer,
      String identity, ConfigMapMetrics metrics, Consumer<Snapshot> serve, Runnable repairNeeded, Clock clock) {
    this(vertx, client, new ConfigMapStateView(client, namespace, name, issuer, metrics, serve, repairNeeded, clock),
        identity, metrics, clock);
  }

  public ConfigMapStateView view() {
    return view;
  }

  @Override
  public String describe() {
    return view.describe();
  }

  /** What every replica sees: delegated to the view. */
  public void observe(ConfigMap cm) {
    view.observe(cm);
  }

  public Optional<ConfigMapStateView.Problem> lastProblem() {
    return view.lastProblem();
  }

  public Optional<ConfigMapSyncStatus> reportedStatus() {
    return view.reportedStatus();
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
    return view.latest();
  }

  @Override
  public boolean needsWrite(MergeState state) {
    return view.needsWrite(state);
  }

  private void reread() {
    try {
      view.observe(view.resource().get());
    } catch (KubernetesClientException e) {
      view.problem("cannot read " + describe() + ": " + reason(e));
      throw e;
    }
  }

  /**
   * Blocking CAS write: update at the last seen resourceVersion, or create if none was seen.
   *
   * @param synced the state comes from a successful read of the source, so the status says so
   */
  private void write(MergeState state, boolean synced) throws StateConflictException {
    ConfigMapStateView.Observed seen = view.seen().observed();
    if (!seen.known()) {
      // Never seen: the caller merged onto a guess. Read it, and let the caller merge onto what is there.
      reread();
      throw new StateConflictException(describe() + " had not been read yet");
    }
    // A synced state write is a successful sync: the status it carries says so, so no second write is needed.
    // An expiry or repair keeps the status of the last sync (null: none yet, the annotation stays as seen).
    ConfigMapSyncStatus reported = view.reportedStatus().orElse(null);
    ConfigMapSyncStatus status = synced ? ConfigMapSyncStatus.succeeded(identity, own != null ? own : reported, clock.instant())
        : own;
    ConfigMap desired = new ConfigMapBuilder()
        .withNewMetadata()
          .withName(view.name()).withNamespace(view.namespace())
          .withResourceVersion(seen.exists() ? seen.resourceVersion() : null)
          .withLabels(LABELS)
          .withAnnotations(annotations(status, repairOf(seen)))
        .endMetadata()
        .withData(ConfigMapCodec.encode(view.issuer(), state))
        .build();
    ConfigMap written;
    try {
      written = seen.exists()
          ? client.configMaps().inNamespace(view.namespace()).resource(desired).update()
          : client.configMaps().inNamespace(view.namespace()).resource(desired).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        metrics.conflict.increment();
        // Someone else wrote since we read: re-read now so the caller re-merges onto their version.
        reread();
        throw new StateConflictException(describe() + " changed since it was read (resourceVersion "
            + seen.resourceVersion() + "); re-read it to merge again");
      }
      metrics.error.increment();
      view.problem("cannot write " + describe() + ": " + reason(e));
      throw e;
    }
    metrics.written.increment();
    if (status != null) {
      own = status;
    }
    view.observe(written);
  }

  /** The repair note if this write replaces the invalid content seen at {@code seen}'s resourceVersion, else null. */
  private String repairOf(ConfigMapStateView.Observed seen) {
    ConfigMapStateView.Rejection r = view.rejectionReplacedBy(seen);
    if (r == null) {
      return null;
    }
    return new io.vertx.core.json.JsonObject().put("rejectedResourceVersion", r.resourceVersion())
        .put("reason", r.reason()).put("rejectedAt", r.at().toString()).put("repairedAt", clock.instant().toString())
        .put("by", identity).encode();
  }

  /** The annotations of the last seen ConfigMap (others' are kept) with {@code status} (if not null) and a repair note in ours. */
  private Map<String, String> annotations(ConfigMapSyncStatus status, String repair) {
    Map<String, String> out = new HashMap<>();
    ConfigMap lastSeen = view.seen().object();
    if (lastSeen != null && lastSeen.getMetadata().getAnnotations() != null) {
      out.putAll(lastSeen.getMetadata().getAnnotations());
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
    ConfigMapSyncStatus reported = view.reportedStatus().orElse(null);
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
    ConfigMapStateView.Seen seen = view.seen();
    try {
      if (!seen.observed().known()) {
        reread();
        seen = view.seen();
      }
      ConfigMap base = seen.object();
      boolean exists = seen.observed().exists();
      ConfigMap desired = exists && base != null
          ? new ConfigMapBuilder(base).editMetadata().withAnnotations(annotations(status, null)).endMetadata().build()
          : new ConfigMapBuilder().withNewMetadata().withName(view.name()).withNamespace(view.namespace()).withLabels(LABELS)
              .withAnnotations(annotations(status, null)).endMetadata().build();
      ConfigMap written = exists
          ? client.configMaps().inNamespace(view.namespace()).resource(desired).update()
          : client.configMaps().inNamespace(view.namespace()).resource(desired).create();
      metrics.written.increment();
      view.observe(written);
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

  private static String reason(KubernetesClientException e) {
    if (e.getCode() == 403) {
      return "HTTP 403: the service account needs get/list/watch/create/update on this ConfigMap (see docs/security.md)";
    }
    return e.getCode() > 0 ? "HTTP " + e.getCode() + " " + e.getMessage() : String.valueOf(e.getMessage());
  }
}
