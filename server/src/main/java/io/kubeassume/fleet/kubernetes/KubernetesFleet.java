package io.kubeassume.fleet.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kubeassume.document.DocumentRenderer;
import io.kubeassume.document.Snapshot;
import io.kubeassume.fleet.Fleet;
import io.kubeassume.fleet.FleetMirrors;
import io.kubeassume.fleet.InvalidSpecException;
import io.kubeassume.fleet.IssuerPipeline;
import io.kubeassume.fleet.IssuerSpec;
import io.kubeassume.fleet.IssuerSpecParser;
import io.kubeassume.fleet.IssuerStats;
import io.kubeassume.fleet.ReadPermits;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.MergeState;
import io.kubeassume.merge.StateCodec;
import io.kubeassume.server.IssuerEndpoint;
import io.kubeassume.server.IssuerRegistry;
import io.kubeassume.server.LeaderElection;
import io.kubeassume.server.SyncHealth;
import io.kubeassume.server.SyncLoop;
import io.kubeassume.server.TimerQueue;
import io.kubeassume.source.KeySource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet declared by OIDCIssuer objects ({@code serve --issuers kubernetes}), on every replica.
 *
 * <p>Read side, every replica: one {@link ListWatch} on OIDCIssuer objects per watched namespace
 * (a page of the list at a time, decoded on a worker, then a watch; it keeps only resourceVersions);
 * each object is reduced to what kubeassume needs (the spec, the state in {@code status.state})
 * where it was decoded, then taken on this verticle's event loop. (Not a worker verticle: the
 * blocking fabric8 calls its stores make on worker threads would then wait for responses dispatched
 * to that same worker pool, and a first sync of thousands of issuers starved it.) A spec change reconciles the
 * {@link Fleet} (claims, pipelines, routes); a status change serves the issuer's documents, rendered
 * from the state after it is validated (content that fails is refused, counted, and the last good
 * documents stay). So every replica serves every issuer from memory, and a cold start serves them
 * all after one list.
 *
 * <p>Write side, the elected leader only ({@link LeaderElection.Listener}): every served issuer's
 * sync loop reads its source (a Secret through the one {@link SecretWatch}, or a remote API
 * server), with at most {@link #READ_PERMITS} reads at once, merges, and writes the state and
 * conditions into the object's status ({@link IssuerStatusStore}); issuers that cannot be served
 * get conditions that say why. Deleting an object stops serving it; its status goes with it.
 */
public final class KubernetesFleet extends VerticleBase implements LeaderElection.Listener {
  private static final Logger log = LoggerFactory.getLogger(KubernetesFleet.class);
  /** OIDCIssuer objects per list request: client-go's default page, about 1.5 MB with their statuses. */
  static final int LIST_PAGE = 500;
  /** Source reads the leader runs at once. */
  public static final int READ_PERMITS = 16;
  /** A burst of spec changes (a cold start's list, an apply of many objects) is reconciled once. */
  static final long RECONCILE_DELAY_MS = 50;

  public record Settings(List<String> namespaces, List<String> allowedPrefixes, IssuerSpecParser.Context specs, int maxKeys,
      Duration pollInterval, FleetMirrors mirrors) {}

  private final KubernetesClient client;
  private final Settings settings;
  private final IssuerRegistry registry;
  private final Clock clock;
  private final Map<String, IssuerRecord> records = new HashMap<>();
  private final Map<String, IssuerStats> stats = new HashMap<>();
  private final List<ListWatch<GenericKubernetesResource>> watches = new CopyOnWriteArrayList<>();
  private final ReadPermits permits = new ReadPermits(READ_PERMITS);
  private final AtomicLong rejected = new AtomicLong();
  private Fleet fleet;
  /** Every issuer's sync-loop timers, on this verticle's context: one Vert.x timer, not one per issuer. */
  private TimerQueue timers;
  private volatile SecretWatch secrets;
  private boolean leading;
  private long reconcileTimer = -1;
  private volatile boolean listed;

  public KubernetesFleet(KubernetesClient client, Settings settings, IssuerRegistry registry, Clock clock) {
    this.client = client;
    this.settings = settings;
    this.registry = registry;
    this.clock = clock;
  }

  /** Starts the watches without waiting for them: an API server that is down must not stop start-up. */
  @Override
  public Future<?> start() {
    timers = new TimerQueue(vertx);
    secrets = new SecretWatch(vertx, client, settings.namespaces());
    fleet = new Fleet(registry, new Pipelines(), settings.allowedPrefixes());
    ListWatch.Consumer<GenericKubernetesResource> consumer = new ListWatch.Consumer<>() {
      @Override
      public Future<Void> changed(List<GenericKubernetesResource> objects) {
        // Reduced where they were decoded (a worker, or the watch's thread): the event loop gets a few strings each.
        List<Seen> seen = objects.stream().map(Seen::of).toList();
        Promise<Void> taken = Promise.promise();
        context.runOnContext(v -> {
          seen.forEach(s -> observed(s, null));
          taken.complete();
        });
        return taken.future();
      }

      @Override
      public void deleted(String namespace, String name) {
        context.runOnContext(v -> KubernetesFleet.this.deleted(namespace + "/" + name));
      }

      @Override
      public void listed() {
        KubernetesFleet.this.listed = watches.stream().allMatch(ListWatch::listedOnce);
        scheduleReconcile();
      }
    };
    List<Future<Void>> lists = new ArrayList<>();
    List<String> namespaces = settings.namespaces().isEmpty() ? java.util.Collections.singletonList(null) : settings.namespaces();
    for (String ns : namespaces) {
      var resources = client.genericKubernetesResources(OidcIssuers.CONTEXT);
      ListWatch<GenericKubernetesResource> watch = new ListWatch<>(vertx, client, new ListWatch.Kind<>(
          "OIDCIssuer objects" + (ns == null ? "" : " in " + ns), OidcIssuers.path(ns), GenericKubernetesResourceList.class,
          ns == null ? resources.inAnyNamespace() : resources.inNamespace(ns),
          "check that the CRD oidcissuers.kubeassume.io is installed and the RBAC allows list and watch", LIST_PAGE), consumer);
      watches.add(watch);
      lists.add(watch.start());
    }
    Future.join(lists).onComplete(x -> {
      // Every object of the first lists is in: serve them all at once, then start the Secret watch (its first
      // list then reaches every issuer's subscription, so a new leader reads with no request). A namespace whose
      // list failed does not hold the others back; its objects are served when a retry succeeds.
      reconcile();
      secrets.start();
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    watches.forEach(ListWatch::close);
    fleet.close();
    timers.close();
    secrets.close();
    return Future.succeededFuture();
  }

  // ---- read side

  /**
   * What an object carries that kubeassume needs, taken where it was decoded (a worker, or the watch's
   * thread): the object itself is dropped there, so what waits for this verticle's context holds a few
   * strings per object rather than whole parsed objects.
   */
  private record Seen(OidcIssuers.Observed observed, Map<?, ?> spec, String state) {
    static Seen of(GenericKubernetesResource r) {
      return new Seen(OidcIssuers.observe(r), OidcIssuers.spec(r), OidcIssuers.state(r));
    }
  }

  /**
   * An object as listed, watched, read or written. {@code written}: the state the leader's store just
   * wrote into it (null otherwise); if the status holds exactly that, that instance is kept, the one
   * the leader's sync loop merges onto, so the leader holds one copy of each issuer's keys, not two.
   */
  private void observed(Seen seen, MergeState written) {
    OidcIssuers.Observed o = seen.observed();
    IssuerRecord rec = records.computeIfAbsent(o.id(), id -> new IssuerRecord());
    if (rec.observed != null) {
      o = o.withId(rec.observed.id()); // one instance of the id for every map that holds the issuer
    }
    OidcIssuers.Observed before = rec.observed;
    if (before != null && (older(o.resourceVersion(), before.resourceVersion())
        || Objects.equals(o.resourceVersion(), before.resourceVersion()))) {
      return; // a late event never rolls back what is served; the same version (a re-list, our own write) changes nothing
    }
    rec.observed = o;
    takeState(rec, o, seen.state(), written);
    if (takeSpec(rec, o, seen.spec()) || before == null) {
      scheduleReconcile();
    } else {
      serve(o.id());
    }
  }

  /** Parses the spec; true if what it declares changed (a new spec, or a different error). */
  private boolean takeSpec(IssuerRecord rec, OidcIssuers.Observed o, Map<?, ?> spec) {
    IssuerSpec parsed = null;
    String error = null;
    try {
      parsed = IssuerSpecParser.parse(o.id(), o.namespace(), o.created(), spec, "spec", settings.specs());
    } catch (InvalidSpecException e) {
      error = e.getMessage();
    }
    boolean changed = !Objects.equals(parsed, rec.spec) || !Objects.equals(error, rec.specError);
    if (!changed) {
      return false; // keep the instance the pipeline holds: one copy per issuer
    }
    rec.spec = parsed;
    rec.specError = error;
    return changed;
  }

  private void deleted(String id) {
    records.remove(id);
    stats.remove(id);
    scheduleReconcile();
  }

  /**
   * Decodes status.state (each new resourceVersion that has one): valid content becomes what is
   * served; invalid is refused and the leader repairs it. The text is not kept: decoded, it is what
   * is served, and a status the leader writes is encoded from it again.
   */
  private void takeState(IssuerRecord rec, OidcIssuers.Observed o, String state, MergeState written) {
    if (state == null) {
      return;
    }
    try {
      MergeState decoded = StateCodec.decode("oidcissuer " + o.id() + " status.state", state.getBytes(StandardCharsets.UTF_8));
      if (written != null && written.sameAs(decoded)) {
        decoded = written;
      } else {
        IssuerPipeline p = fleet.pipeline(o.id());
        if (p != null) {
          decoded = p.shareKeys(decoded);
        }
      }
      if (rec.valid == null || !rec.valid.sameAs(decoded)) {
        rec.valid = decoded; // else keep the instance that is served (and merged onto): one copy of the keys per issuer
      }
      rec.rejected = null;
    } catch (Exception e) {
      rejected.incrementAndGet();
      String message = "rejected the status.state of oidcissuer " + o.id() + " at resourceVersion " + o.resourceVersion()
          + " and kept serving the last good documents: " + e.getMessage();
      if (!message.equals(rec.rejected)) {
        log.warn("{}; the leader rewrites it", message);
      }
      rec.rejected = message;
      IssuerPipeline p = fleet.pipeline(o.id());
      if (p != null) {
        p.repair();
      }
    }
  }

  /** Serves issuer {@code id}'s documents from its state, if they differ from what is served. */
  private void serve(String id) {
    IssuerPipeline p = fleet.pipeline(id);
    IssuerRecord rec = records.get(id);
    if (p == null || rec == null || rec.valid == null || rec.valid.keys().isEmpty()) {
      return;
    }
    Snapshot served = p.served();
    if (served != null && served.revision() == rec.valid.revision() && served.issuer().equals(p.spec().issuer())) {
      return;
    }
    p.endpoint().documents().serve(DocumentRenderer.render(p.spec().issuer(), rec.valid));
  }

  private void scheduleReconcile() {
    if (reconcileTimer == -1) {
      reconcileTimer = vertx.setTimer(RECONCILE_DELAY_MS, t -> {
        reconcileTimer = -1;
        reconcile();
      });
    }
  }

  private void reconcile() {
    List<IssuerSpec> specs = new ArrayList<>();
    Map<String, String> invalid = new LinkedHashMap<>();
    for (Map.Entry<String, IssuerRecord> e : records.entrySet()) {
      IssuerRecord rec = e.getValue();
      if (rec.spec != null) {
        specs.add(rec.spec);
      } else {
        invalid.put(e.getKey(), rec.specError);
      }
    }
    fleet.reconcile(specs, invalid);
    records.keySet().forEach(this::serve);
    if (leading) {
      reportProblems();
    }
  }

  // ---- write side (the leader)

  @Override
  public void startedLeading(LeaderElection.Resignation resign) {
    context.runOnContext(v -> {
      leading = true;
      log.info("leading: syncing {} issuer(s)", fleet.pipelines().size());
      fleet.startSyncing(vertx);
      reportProblems();
    });
  }

  @Override
  public void stoppedLeading() {
    context.runOnContext(v -> {
      leading = false;
      fleet.stopSyncing();
    });
  }

  @Override
  public JsonObject status() {
    return new JsonObject().put("syncing", leading);
  }

  /** Writes the conditions of issuers that cannot be served, where the object does not say so already. */
  private void reportProblems() {
    for (Map.Entry<String, Fleet.Problem> e : fleet.problems().entrySet()) {
      IssuerRecord rec = records.get(e.getKey());
      if (rec == null) {
        continue;
      }
      List<Map<String, Object>> next = IssuerConditions.of(new IssuerConditions.Facts(e.getValue(), null, null, false,
          false, IssuerConditions.MirrorFacts.NONE, rec.observed.generation()), rec.observed.conditions(), clock.instant());
      if (!IssuerConditions.sameAs(next, rec.observed.conditions())) {
        writeConditions(rec, next);
      }
    }
  }

  private void writeConditions(IssuerRecord rec, List<Map<String, Object>> conditions) {
    OidcIssuers.Observed o = rec.observed;
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("observedGeneration", o.generation());
    status.put("conditions", conditions);
    MergeState valid = rec.valid;
    if (valid != null && !valid.keys().isEmpty()) {
      // A conflict or a refused URL does not lose the state: if the issuer is served again, its history is there.
      status.put("state", new String(StateCodec.encode(valid), StandardCharsets.UTF_8));
    }
    GenericKubernetesResource desired = new GenericKubernetesResourceBuilder()
        .withApiVersion(OidcIssuers.GROUP + "/" + OidcIssuers.VERSION).withKind(OidcIssuers.KIND)
        .withNewMetadata().withNamespace(o.namespace()).withName(o.name()).withResourceVersion(o.resourceVersion()).endMetadata()
        .addToAdditionalProperties("status", status).build();
    vertx.executeBlocking(() -> client.genericKubernetesResources(OidcIssuers.CONTEXT).inNamespace(o.namespace())
        .resource(desired).updateStatus(), false)
        .onSuccess(r -> observed(Seen.of(r), null))
        .onFailure(e -> log.debug("cannot write the conditions of oidcissuer {}: {}", o.id(),
            e instanceof KubernetesClientException k ? k.getCode() + " " + k.getMessage() : e.getMessage()));
  }

  /** Secrets or a remote API server, and the object's status. */
  private final class Pipelines implements Fleet.PipelineFactory {
    @Override
    public IssuerPipeline create(IssuerSpec spec, IssuerEndpoint endpoint) {
      IssuerStats issuerStats = stats.computeIfAbsent(spec.id(), id -> new IssuerStats());
      SecretKeySource secretItems = spec.source() instanceof IssuerSpec.SecretItems s
          ? new SecretKeySource(vertx, s, secrets, () -> endpoint.documents().snapshot().map(Snapshot::keys).orElse(List.of()))
          : null;
      IssuerPipeline pipeline = new IssuerPipeline(spec, endpoint, issuerStats, p -> {
        IssuerRecord rec = records.get(spec.id());
        if (rec == null) {
          return Future.failedFuture(new IllegalStateException("oidcissuer " + spec.id() + " is gone"));
        }
        KeySource source = secretItems != null ? secretItems.reader()
            : new ApiServerKeySource(vertx, spec.issuer(), (IssuerSpec.ApiServer) spec.source(), secrets);
        IssuerStatusStore store = new IssuerStatusStore(vertx, client, rec, (written, state) -> {
          Seen seen = Seen.of(written);
          context.runOnContext(v -> observed(seen, state));
        },
            (state, synced) -> IssuerConditions.of(new IssuerConditions.Facts(fleet.problemsView().get(spec.id()), state,
                synced ? SyncHealth.Report.succeededAt(clock.instant()) : issuerStats.health().report(),
                !synced && issuerStats.mismatching(), spec.source() instanceof IssuerSpec.ApiServer, IssuerConditions.MirrorFacts.of(p),
                rec.observed.generation()), rec.observed.conditions(), clock.instant()), p::mirrorStatus, clock);
        return Future.succeededFuture(new SyncLoop(permits.bound(source), store,
            rec.valid == null ? MergeState.EMPTY : rec.valid, KeyMerger.of(spec.overlap(), settings.maxKeys()),
            spec.issuer(), endpoint.documents(), issuerStats.health(), issuerStats, clock, settings.pollInterval(), false,
            spec.id()).timers(timers));
      }, secretItems == null ? () -> { } : secretItems);
      if (secretItems != null) {
        pipeline.withKnownKeys(secretItems::known);
      }
      return settings.mirrors().attach(vertx, pipeline);
    }

    @Override
    public void removed(IssuerSpec spec) {
      // The object is gone, and its status (the state) with it; mirrored objects are never deleted.
    }
  }

  // ---- views for readiness and metrics

  public Fleet fleet() {
    return fleet;
  }

  /** True once the first list of OIDCIssuer objects was served. */
  public boolean listed() {
    return listed;
  }

  public JsonObject watchStatus() {
    JsonObject json = new JsonObject().put("listed", listed).put("rejectedStates", rejected.get());
    String error = watches.stream().map(ListWatch::lastError).filter(Objects::nonNull).findFirst().orElse(null);
    if (error != null) {
      json.put("lastError", error);
    }
    SecretWatch s = secrets;
    String secretsError = s == null ? null : s.lastError();
    if (secretsError != null) {
      json.put("secretsLastError", secretsError);
    }
    return json;
  }

  /** Failed lists and watches since the start, by kind: oidcissuers, secrets. */
  public Map<String, Long> watchFailures() {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("oidcissuers", watches.stream().mapToLong(ListWatch::failuresTotal).sum());
    SecretWatch s = secrets;
    out.put("secrets", s == null ? 0 : s.failuresTotal());
    return out;
  }

  private static boolean older(String rv, String seen) {
    try {
      return Long.parseLong(rv) < Long.parseLong(seen);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
