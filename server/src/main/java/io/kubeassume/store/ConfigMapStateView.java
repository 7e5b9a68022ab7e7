package io.kubeassume.store;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.document.Snapshot;
import io.kubeassume.keys.InvalidKeyException;
import io.kubeassume.merge.MergeState;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read side of the shared state in one ConfigMap ({@code --store configmap}), on every replica.
 * Everything a replica sees of the ConfigMap (the {@link ConfigMapWatcher}'s events, and the
 * leader's own reads and writes through {@link ConfigMapStateStore}) goes through {@link #observe},
 * in resourceVersion order (a late watch event cannot roll back): valid content is served, invalid
 * content is counted, shown on /readyz and not served (the last good documents stay up), and the
 * leader is asked to repair it. The leader's sync status annotation is decoded here too, so a
 * follower's /readyz shows the leader's errors. A ConfigMap with no data (the status of a leader that
 * never had a valid key set) is "no documents yet", not invalid.
 */
public final class ConfigMapStateView {
  private static final Logger log = LoggerFactory.getLogger(ConfigMapStateView.class);

  /** What the ConfigMap held when last seen. {@code valid} is null when it was missing or invalid. */
  record Observed(boolean known, boolean exists, String resourceVersion, MergeState valid) {
    static final Observed UNKNOWN = new Observed(false, false, null, null);
    static final Observed ABSENT = new Observed(true, false, null, null);
  }

  /** The last problem with the ConfigMap (invalid content, a failed write), for /readyz. */
  public record Problem(String message, Instant at) {}

  /** Invalid content seen at {@code resourceVersion}, remembered so the repairing write can say what it replaced. */
  record Rejection(String resourceVersion, String reason, Instant at) {}

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
  /** The whole ConfigMap last observed (null: none or absent), the base of annotation-only writes. */
  private ConfigMap lastSeen;
  /** The data last served, so an annotation-only change does not re-serve the same documents. */
  private Map<String, String> servedData;
  private volatile Problem lastProblem;
  private Rejection rejection;
  /** The status annotation on the ConfigMap as last observed (any leader's). */
  private volatile ConfigMapSyncStatus reported;

  /**
   * @param serve receives every new valid snapshot, in resourceVersion order
   * @param repairNeeded called (on any thread) when the ConfigMap turns invalid or disappears
   */
  public ConfigMapStateView(KubernetesClient client, String namespace, String name, IssuerUrl issuer,
      ConfigMapMetrics metrics, Consumer<Snapshot> serve, Runnable repairNeeded, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.issuer = issuer;
    this.metrics = metrics;
    this.serve = serve;
    this.repairNeeded = repairNeeded;
    this.clock = clock;
    metrics.reportedStatus(this);
  }

  public String describe() {
    return "configmap " + namespace + "/" + name;
  }

  public String namespace() {
    return namespace;
  }

  public String name() {
    return name;
  }

  IssuerUrl issuer() {
    return issuer;
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

  /** The newest valid state seen (the last good one while the ConfigMap is invalid), if any. */
  public Optional<MergeState> latest() {
    synchronized (lock) {
      return Optional.ofNullable(observed.valid != null ? observed.valid : lastGood);
    }
  }

  /** True if the ConfigMap does not hold {@code state} (missing, invalid, other content). */
  public boolean needsWrite(MergeState state) {
    synchronized (lock) {
      return observed.valid == null || !observed.valid.sameAs(state);
    }
  }

  /** What was last observed, and the whole object then: the base of the next write. */
  record Seen(Observed observed, ConfigMap object) {}

  Seen seen() {
    synchronized (lock) {
      return new Seen(observed, lastSeen);
    }
  }

  /** The invalid content a write at {@code seen} replaces, if that is what was last rejected; else null. */
  Rejection rejectionReplacedBy(Observed seen) {
    synchronized (lock) {
      Rejection r = rejection;
      if (r == null || !seen.exists() || seen.valid() != null || !r.resourceVersion().equals(seen.resourceVersion())) {
        return null;
      }
      return r;
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

  /** The deletion seen by the watcher: the leader re-creates the ConfigMap from the last good state. */
  public void observeDeleted() {
    observe(null);
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

  /** A problem seen by the write side (a failed read or write), shown on /readyz. */
  void problem(String message) {
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
}
