package io.kubeassume.server;

import io.kubeassume.document.IssuerUrl;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.MergeState;
import io.kubeassume.source.KeySource;
import io.kubeassume.store.StateStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;

/**
 * The single issuer's {@link SyncLoop} as a verticle: deployed once (or per leadership term), on its
 * own event loop, and asked for a repair by a message on {@link #SYNC_ADDRESS} (the ConfigMap store).
 */
final class KeySyncVerticle extends VerticleBase {
  /** Local event-bus address: a message asks for the state to be written (repaired), without reading the source. */
  static final String SYNC_ADDRESS = "kubeassume.sync.request";
  static final int SAVE_ATTEMPTS = SyncLoop.SAVE_ATTEMPTS;
  static final Duration READ_DEADLINE = SyncLoop.READ_DEADLINE;

  private final SyncLoop loop;

  KeySyncVerticle(KeySource source, StateStore store, MergeState initial, KeyMerger merger, IssuerUrl issuer,
      CurrentDocuments current, SyncHealth health, SyncObserver metrics, Clock clock, Duration pollInterval) {
    this(source, store, initial, merger, issuer, current, health, metrics, clock, pollInterval, true);
  }

  /** @param serves false when the store serves what it holds (the ConfigMap store) */
  KeySyncVerticle(KeySource source, StateStore store, MergeState initial, KeyMerger merger, IssuerUrl issuer,
      CurrentDocuments current, SyncHealth health, SyncObserver metrics, Clock clock, Duration pollInterval,
      boolean serves) {
    this.loop = new SyncLoop(source, store, initial, merger, issuer, current, health, metrics, clock, pollInterval, serves, null);
  }

  /** A shorter read deadline, for tests of a source that never answers. */
  KeySyncVerticle readDeadline(Duration deadline) {
    loop.readDeadline(deadline);
    return this;
  }

  @Override
  public Future<?> start() {
    loop.start(vertx);
    return vertx.eventBus().consumer(SYNC_ADDRESS, message -> loop.repair()).completion();
  }

  @Override
  public Future<?> stop() {
    loop.stop();
    return Future.succeededFuture();
  }
}
