package io.kubeassume.merge;

import java.util.List;

/**
 * The result of one merge. {@code documentsChanged}: the served key set differs, so there is a
 * new revision to publish. {@code stateChanged}: something must be persisted (a retirement time
 * can change without changing the documents).
 */
public record MergeOutcome(MergeState state, List<RotationEvent> events, boolean documentsChanged, boolean stateChanged) {
  public MergeOutcome {
    events = List.copyOf(events);
  }
}
