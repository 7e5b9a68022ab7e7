package io.kubeassume.store;

import io.kubeassume.merge.MergeState;
import io.vertx.core.Future;

/**
 * Makes the merge state durable, so a restart inside the overlap window still serves retired
 * keys. A state is saved before the documents it describes are served.
 */
public interface StateStore {
  /** Where the state lives, for logs and readiness: a file path, a ConfigMap. */
  String describe();

  /** The saved state, or {@link MergeState#EMPTY} if none was saved yet. */
  Future<MergeState> load();

  Future<Void> save(MergeState state);
}
