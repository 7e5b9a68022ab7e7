package io.kubeassume.server;

import java.time.Instant;

/**
 * Whose sync report a replica shows as its key source's health, on /readyz ({@code source}) and in
 * {@code kubeassume_source_up} alike, so the two never disagree. Only the leader reads the source: a
 * follower shows the leader's latest report from the ConfigMap's status annotation, unless it synced
 * itself more recently than that report (a leader that has just stepped down).
 */
final class SourceView {
  private SourceView() {}

  /**
   * @param follower this replica takes part in an election and does not lead
   * @param own this replica's own sync report
   * @param reportedSince when the leader's reported outcome began, or null if there is no report
   * @param reportedLastSuccess the leader's last successful sync as reported, or null
   */
  static boolean showsLeader(boolean follower, SyncHealth.Report own, boolean reported, Instant reportedSince,
      Instant reportedLastSuccess) {
    return follower && reported
        && !newer(latest(own.lastSuccess(), own.lastErrorAt()), latest(reportedSince, reportedLastSuccess));
  }

  private static Instant latest(Instant a, Instant b) {
    return a == null ? b : b == null || a.isAfter(b) ? a : b;
  }

  private static boolean newer(Instant own, Instant reported) {
    return own != null && (reported == null || own.isAfter(reported));
  }
}
