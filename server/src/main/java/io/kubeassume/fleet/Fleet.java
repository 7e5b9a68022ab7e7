package io.kubeassume.fleet;

import io.kubeassume.server.CurrentDocuments;
import io.kubeassume.server.IssuerEndpoint;
import io.kubeassume.server.IssuerRegistry;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuers a fleet serves: turns each declared set of specs into running pipelines and routes.
 * A new issuer gets a pipeline, a changed one a new pipeline that keeps serving the same documents
 * until its loop publishes, a removed one is stopped, unrouted and its state dropped. Issuers that
 * cannot be served (a spec error, a URL outside the allowed prefixes, a URL another issuer holds)
 * are kept as problems for readiness and status; a spec error on an issuer already served keeps its
 * last good spec running. One issuer's changes never touch another's pipeline. All calls come from
 * the fleet's one event loop.
 */
public final class Fleet {
  private static final Logger log = LoggerFactory.getLogger(Fleet.class);

  /** Builds an issuer's pipeline in the fleet's mode (files and a state directory, or Secrets and status). */
  public interface PipelineFactory {
    IssuerPipeline create(IssuerSpec spec, IssuerEndpoint endpoint);

    /** The issuer was removed from the declarations: drop what is stored for it. */
    void removed(IssuerSpec spec);
  }

  /** Why a declared issuer is not served: state conflict, refused or invalid, a reason and a message naming the fix. */
  public record Problem(String state, String reason, String message) {}

  private final IssuerRegistry registry;
  private final PipelineFactory factory;
  private final List<String> allowedPrefixes;
  private final Map<String, IssuerPipeline> pipelines = new LinkedHashMap<>();
  private final Map<String, Problem> problems = new LinkedHashMap<>();
  /** Copies for other threads (scrapes, /readyz), replaced after every change. */
  private volatile List<IssuerPipeline> pipelinesView = List.of();
  private volatile Map<String, Problem> problemsView = Map.of();
  private Vertx syncingOn;

  public Fleet(IssuerRegistry registry, PipelineFactory factory, List<String> allowedPrefixes) {
    this.registry = registry;
    this.factory = factory;
    this.allowedPrefixes = List.copyOf(allowedPrefixes);
  }

  /** Makes the served issuers what {@code specs} declare; {@code invalid} are declared but unusable (id → error). */
  public void reconcile(List<IssuerSpec> specs, Map<String, String> invalid) {
    Map<String, Claims.Verdict> verdicts = Claims.decide(specs, allowedPrefixes);
    Set<String> declared = new HashSet<>(invalid.keySet());
    List<IssuerPipeline> started = new ArrayList<>();
    List<IssuerPipeline> stopped = new ArrayList<>();
    problems.clear();
    for (IssuerSpec spec : specs) {
      declared.add(spec.id());
      Claims.Verdict verdict = verdicts.get(spec.id());
      IssuerPipeline running = pipelines.get(spec.id());
      if (!(verdict instanceof Claims.Granted)) {
        problems.put(spec.id(), problem(spec, verdict));
        if (running != null) {
          stopped.add(pipelines.remove(spec.id()));
        }
        continue;
      }
      if (running != null && running.spec().equals(spec)) {
        continue;
      }
      // A new issuer, or a changed one: the new pipeline serves the same documents until its loop publishes.
      CurrentDocuments documents = running != null ? running.endpoint().documents() : new CurrentDocuments();
      IssuerPipeline next = factory.create(spec, new IssuerEndpoint(spec.id(), spec.issuer(), spec.maxAgeSeconds(), documents));
      if (running != null) {
        stopped.add(running);
      }
      pipelines.put(spec.id(), next);
      started.add(next);
    }
    for (Map.Entry<String, String> bad : invalid.entrySet()) {
      IssuerPipeline running = pipelines.get(bad.getKey());
      problems.put(bad.getKey(), new Problem("invalid", "InvalidSpec", bad.getValue()
          + (running != null ? "; still serving the previous spec" : "")));
    }
    List<IssuerPipeline> removed = new ArrayList<>();
    for (String id : List.copyOf(pipelines.keySet())) {
      if (!declared.contains(id)) {
        removed.add(pipelines.remove(id));
      }
    }
    registry.apply(batch -> {
      stopped.forEach(p -> batch.remove(p.id()));
      removed.forEach(p -> batch.remove(p.id()));
      started.forEach(p -> batch.put(p.endpoint()));
    });
    stopped.forEach(IssuerPipeline::stop);
    for (IssuerPipeline p : removed) {
      p.stop();
      factory.removed(p.spec());
      log.info("issuer {}: removed; no longer served (its mirrored objects stay)", p.id());
    }
    for (IssuerPipeline p : started) {
      log.info("issuer {}: serving {} from {}", p.id(), p.spec().issuer(), describe(p.spec().source()));
      if (syncingOn != null) {
        p.startSyncing(syncingOn);
      }
    }
    publishViews();
  }

  private void publishViews() {
    pipelinesView = List.copyOf(pipelines.values());
    problemsView = Map.copyOf(problems);
  }

  /** This replica writes from now on (standalone at once; the elected leader while it leads). */
  public void startSyncing(Vertx vertx) {
    syncingOn = vertx;
    pipelines.values().forEach(p -> p.startSyncing(vertx));
  }

  /** This replica stopped writing (leadership lost, shutdown). */
  public void stopSyncing() {
    syncingOn = null;
    pipelines.values().forEach(IssuerPipeline::stopSyncing);
  }

  /** Stops every pipeline and unroutes every issuer. */
  public void close() {
    stopSyncing();
    registry.apply(batch -> pipelines.keySet().forEach(batch::remove));
    pipelines.values().forEach(IssuerPipeline::stop);
    pipelines.clear();
    problems.clear();
    publishViews();
  }

  /** The running pipeline of issuer {@code id}, or null (not declared, or not served). */
  public IssuerPipeline pipeline(String id) {
    return pipelines.get(id);
  }

  /** The served issuers' pipelines (on the fleet's event loop). */
  public Collection<IssuerPipeline> pipelines() {
    return pipelines.values();
  }

  /** The declared issuers not served, and why (on the fleet's event loop). */
  public Map<String, Problem> problems() {
    return problems;
  }

  /** A copy for any thread: the pipelines after the last change. */
  public List<IssuerPipeline> pipelinesView() {
    return pipelinesView;
  }

  /** A copy for any thread: the problems after the last change. */
  public Map<String, Problem> problemsView() {
    return problemsView;
  }

  private static Problem problem(IssuerSpec spec, Claims.Verdict verdict) {
    if (verdict instanceof Claims.NotAllowed n) {
      return new Problem("refused", "IssuerURLNotAllowed", spec.issuer() + " is under none of the allowed prefixes "
          + n.prefixes() + "; use an issuer URL under one of them, or ask the operator to allow it (--issuer-url-prefix)");
    }
    Claims.Conflict c = (Claims.Conflict) verdict;
    return new Problem("conflict", "IssuerConflict", spec.issuer() + " is already served for " + c.heldBy()
        + ", which claimed it first; give this issuer its own URL, or delete one of the two");
  }

  static String describe(IssuerSpec.KeySourceSpec source) {
    if (source instanceof IssuerSpec.SecretItems s) {
      return "secret " + s.namespace() + "/" + s.name() + " " + s.items();
    }
    if (source instanceof IssuerSpec.ApiServer a) {
      return "the API server of the kubeconfig in secret " + a.namespace() + "/" + a.secretName() + " (item " + a.key() + ")";
    }
    return "files " + ((IssuerSpec.KeyFiles) source).paths();
  }
}
