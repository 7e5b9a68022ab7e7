package io.kubeassume.fleet.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kubeassume.merge.KeyRecord;
import io.kubeassume.merge.MergeState;
import io.kubeassume.merge.StateCodec;
import io.kubeassume.store.StateConflictException;
import io.kubeassume.store.StateStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The write side of one OIDCIssuer's state: the leader's sync loop saves the merge state into the
 * object's {@code status} (with the served kids, the revision, the last sync time and the
 * conditions), by a PUT of the status subresource at the resourceVersion last seen, so a concurrent
 * change fails with 409 instead of being overwritten; the store then re-reads and the loop re-merges.
 * The read side ({@link KubernetesFleet}) observes every replica's copy; what this store writes is
 * fed back to it at once. Blocking calls run on worker threads.
 */
final class IssuerStatusStore implements StateStore {
  private final Vertx vertx;
  private final KubernetesClient client;
  private final IssuerRecord record;
  /** Feeds an object read or written back to the read side, with the state this store wrote into it (or null). */
  private final BiConsumer<GenericKubernetesResource, MergeState> observe;
  /**
   * The conditions to write for a state about to be served (null: nothing served yet); the flag says
   * the state comes from a successful read of the source, which the loop reports only after the save.
   */
  private final java.util.function.BiFunction<MergeState, Boolean, List<Map<String, Object>>> conditions;
  private final java.util.function.Supplier<List<io.kubeassume.mirror.TargetStatus>> mirrors;
  private final Clock clock;

  IssuerStatusStore(Vertx vertx, KubernetesClient client, IssuerRecord record, BiConsumer<GenericKubernetesResource, MergeState> observe,
      java.util.function.BiFunction<MergeState, Boolean, List<Map<String, Object>>> conditions,
      java.util.function.Supplier<List<io.kubeassume.mirror.TargetStatus>> mirrors, Clock clock) {
    this.mirrors = mirrors;
    this.vertx = vertx;
    this.client = client;
    this.record = record;
    this.observe = observe;
    this.conditions = conditions;
    this.clock = clock;
  }

  @Override
  public String describe() {
    OidcIssuers.Observed o = record.observed;
    return "oidcissuer " + o.namespace() + "/" + o.name() + " status";
  }

  @Override
  public Future<MergeState> load() {
    return Future.succeededFuture(latest().orElse(MergeState.EMPTY));
  }

  @Override
  public Optional<MergeState> latest() {
    return Optional.ofNullable(record.valid);
  }

  @Override
  public boolean needsWrite(MergeState state) {
    MergeState valid = record.valid;
    return record.rejected != null || valid == null || !valid.sameAs(state);
  }

  @Override
  public Future<Void> save(MergeState state) {
    return vertx.executeBlocking(() -> {
      write(state, true);
      return null;
    }, false);
  }

  @Override
  public Future<Void> rewrite(MergeState state) {
    return vertx.executeBlocking(() -> {
      write(state, false);
      return null;
    }, false);
  }

  /** After every sync: writes the conditions if they tell a different story than the object does; never fails. */
  @Override
  public Future<Void> reportSync(boolean succeeded, String error, long consecutiveFailures) {
    MergeState served = record.valid;
    List<Map<String, Object>> next = conditions.apply(served, false);
    OidcIssuers.Observed o = record.observed;
    if (o == null || IssuerConditions.sameAs(next, o.conditions())) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      put(status(served, next, false), served);
      return null;
    }, false).<Void>mapEmpty().otherwise((Void) null);
  }

  private void write(MergeState state, boolean synced) throws StateConflictException {
    put(status(state, conditions.apply(state, synced), synced), state);
  }

  /** The whole status (a PUT replaces it): the state and what it serves, the conditions, the last sync time. */
  private Map<String, Object> status(MergeState state, List<Map<String, Object>> conds, boolean synced) {
    OidcIssuers.Observed o = record.observed;
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("observedGeneration", o.generation());
    status.put("conditions", conds);
    if (state != null && !state.keys().isEmpty()) {
      status.put("keys", state.keys().stream().map(KeyRecord::kid).toList());
      status.put("keyCount", state.keys().size());
      status.put("revision", state.revision());
      status.put("state", new String(StateCodec.encode(state), StandardCharsets.UTF_8));
    }
    List<Map<String, Object>> published = new java.util.ArrayList<>();
    for (io.kubeassume.mirror.TargetStatus t : mirrors.get()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("target", t.target());
      if (t.lastRevision() >= 0) {
        m.put("revision", t.lastRevision());
      }
      if (t.lastSuccess() != null) {
        m.put("lastPublishTime", t.lastSuccess().toString());
      }
      if (t.consecutiveFailures() > 0 && t.lastError() != null) {
        m.put("error", t.lastError());
      }
      published.add(m);
    }
    if (!published.isEmpty()) {
      status.put("mirrors", published);
    }
    Object lastSync = synced ? clock.instant().toString() : o.lastSyncTime() == null ? null : o.lastSyncTime().toString();
    if (lastSync != null) {
      status.put("lastSyncTime", lastSync);
    }
    return status;
  }

  /** Blocking PUT of the status subresource at the resourceVersion last seen; {@code state} is what it holds, or null. */
  private void put(Map<String, Object> status, MergeState state) throws StateConflictException {
    OidcIssuers.Observed o = record.observed;
    GenericKubernetesResource desired = new GenericKubernetesResourceBuilder()
        .withApiVersion(OidcIssuers.GROUP + "/" + OidcIssuers.VERSION).withKind(OidcIssuers.KIND)
        .withNewMetadata().withNamespace(o.namespace()).withName(o.name()).withResourceVersion(o.resourceVersion()).endMetadata()
        .addToAdditionalProperties("status", status)
        .build();
    GenericKubernetesResource written;
    try {
      written = client.genericKubernetesResources(OidcIssuers.CONTEXT).inNamespace(o.namespace()).resource(desired)
          .updateStatus();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        GenericKubernetesResource now = client.genericKubernetesResources(OidcIssuers.CONTEXT).inNamespace(o.namespace())
            .withName(o.name()).get();
        if (now != null) {
          observe.accept(now, null);
        }
        throw new StateConflictException(describe() + " changed since it was read (resourceVersion " + o.resourceVersion()
            + "); merging onto the newer one");
      }
      throw e;
    }
    observe.accept(written, state);
  }
}
