package io.kubeassume.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The issuers this process serves, by id, and the routing table built from them. Changes come from
 * one place at a time (the fleet's reconciler, or start-up for a single issuer) and may be batched:
 * {@link #apply} builds one new {@link IssuerRoutes} for the whole batch and swaps it in, so a cold
 * start with thousands of issuers builds the table once. Request threads only read the volatile table.
 */
public final class IssuerRegistry {
  private final Map<String, IssuerEndpoint> byId = new LinkedHashMap<>();
  private volatile IssuerRoutes routes = IssuerRoutes.EMPTY;

  /** A batch of changes: endpoints to add or replace, and ids to remove. */
  public interface Batch {
    void put(IssuerEndpoint endpoint);

    void remove(String id);
  }

  /**
   * Applies the changes and publishes the new table. Refuses (changing nothing) a batch that would
   * leave two issuers on the same host and path; the fleet resolves such claims before.
   */
  public synchronized void apply(java.util.function.Consumer<Batch> changes) {
    Map<String, IssuerEndpoint> next = new LinkedHashMap<>(byId);
    changes.accept(new Batch() {
      @Override
      public void put(IssuerEndpoint endpoint) {
        next.put(endpoint.id(), endpoint);
      }

      @Override
      public void remove(String id) {
        next.remove(id);
      }
    });
    IssuerRoutes built = new IssuerRoutes(next.values());
    byId.clear();
    byId.putAll(next);
    routes = built;
  }

  public void put(IssuerEndpoint endpoint) {
    apply(b -> b.put(endpoint));
  }

  public void remove(String id) {
    apply(b -> b.remove(id));
  }

  IssuerRoutes routes() {
    return routes;
  }

  public synchronized Optional<IssuerEndpoint> get(String id) {
    return Optional.ofNullable(byId.get(id));
  }

  public synchronized List<IssuerEndpoint> all() {
    return List.copyOf(byId.values());
  }

  public synchronized int size() {
    return byId.size();
  }
}
