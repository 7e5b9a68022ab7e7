package io.kubeassume.store;

import io.kubeassume.merge.MergeState;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Makes the merge state durable, so a restart inside the overlap window still serves retired
 * keys. A state is saved before the documents it describes are served.
 */
public interface StateStore {
  /** Where the state lives, for logs and readiness: a file path, a ConfigMap. */
  String describe();

  /** The saved state, or {@link MergeState#EMPTY} if none was saved yet. */
  Future<MergeState> load();

  /**
   * Saves the state. A store shared by several writers fails with {@link StateConflictException}
   * when the state changed since it was read; it has re-read it by then, so the caller re-merges
   * onto {@link #latest()} and saves again.
   */
  Future<Void> save(MergeState state);

  /**
   * Saves a state made from the stored one alone, without a source read: the end of an overlap
   * window, a repair. Like {@link #save}, but a store that records sync outcomes must not record
   * this as a successful sync of the source.
   */
  default Future<Void> rewrite(MergeState state) {
    return save(state);
  }

  /**
   * The newest valid state others may have written, to merge onto instead of the caller's own
   * copy; empty when the caller's copy is the only truth (a file or memory).
   */
  default Optional<MergeState> latest() {
    return Optional.empty();
  }

  /** True if the stored copy differs from {@code state} (missing, hand-broken, older), so it must be written even if the merge changed nothing. */
  default boolean needsWrite(MergeState state) {
    return false;
  }

  /**
   * Records the outcome of the writer's latest sync where other replicas can read it (the
   * ConfigMap's status annotation). Never fails; stores read by nobody else ignore it.
   */
  default Future<Void> reportSync(boolean succeeded, String error, long consecutiveFailures) {
    return Future.succeededFuture();
  }
}
