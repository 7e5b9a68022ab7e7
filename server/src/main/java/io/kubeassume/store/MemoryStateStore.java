package io.kubeassume.store;

import io.kubeassume.merge.MergeState;
import io.vertx.core.Future;

/** No --state-file: state lives as long as the process. Retired keys are forgotten on restart. */
public final class MemoryStateStore implements StateStore {
  private volatile MergeState state = MergeState.EMPTY;

  @Override
  public String describe() {
    return "memory (no --state-file)";
  }

  @Override
  public Future<MergeState> load() {
    return Future.succeededFuture(state);
  }

  @Override
  public Future<Void> save(MergeState state) {
    this.state = state;
    return Future.succeededFuture();
  }
}
