package io.kubeassume.server;

import io.kubeassume.document.Snapshot;
import java.util.Optional;

/**
 * The snapshot being served. One writer (the sync loop) swaps a reference; every event loop reads
 * it with a single volatile load per request.
 */
public final class CurrentDocuments {
  private volatile DocumentResponses responses;

  public void serve(Snapshot snapshot) {
    responses = new DocumentResponses(snapshot);
  }

  public Optional<Snapshot> snapshot() {
    DocumentResponses r = responses;
    return r == null ? Optional.empty() : Optional.of(r.snapshot);
  }

  DocumentResponses responses() {
    return responses;
  }
}
