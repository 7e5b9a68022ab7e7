package io.kubeassume.server;

import io.kubeassume.document.Snapshot;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot being served. One writer (the sync loop) swaps a reference; every event loop reads
 * it with a single volatile load per request. Listeners (the mirror) hear of each swap after it
 * happened, on the writer's thread; they must only hand the snapshot over, never block.
 */
public final class CurrentDocuments {
  private static final Logger log = LoggerFactory.getLogger(CurrentDocuments.class);

  private volatile Snapshot snapshot;
  private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();

  public void serve(Snapshot snapshot) {
    this.snapshot = snapshot;
    for (Consumer<Snapshot> listener : listeners) {
      try {
        listener.accept(snapshot);
      } catch (RuntimeException e) {
        // Serving has already switched; a broken listener must not break the sync loop.
        log.warn("a listener of document changes failed: {}", e.toString());
      }
    }
  }

  /** Calls {@code listener} with every snapshot served from now on. Not called on the request path. */
  public void onChange(Consumer<Snapshot> listener) {
    listeners.add(listener);
  }

  /** Stops calling {@code listener} (a fleet issuer's mirrors stopped on this replica). */
  public void removeListener(Consumer<Snapshot> listener) {
    listeners.remove(listener);
  }

  public Optional<Snapshot> snapshot() {
    return Optional.ofNullable(snapshot);
  }

  /** The snapshot served now, or null: for the request path, which must not allocate for it. */
  Snapshot current() {
    return snapshot;
  }
}
