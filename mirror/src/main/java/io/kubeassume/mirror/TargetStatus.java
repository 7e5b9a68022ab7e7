package io.kubeassume.mirror;

import java.time.Instant;
import java.util.List;

/**
 * What /readyz shows about one mirror.
 *
 * @param target the location, e.g. {@code s3://bucket/prefix}
 * @param lastResult {@code written}, {@code unchanged}, {@code superseded}, {@code standby} or {@code error}; null
 *     before the first publish
 * @param lastRevision the revision of the last successful publish, or -1
 * @param lastSuccess when a publish last succeeded, or null
 * @param lastError the latest error, or null
 * @param lastErrorAt when it happened
 * @param consecutiveFailures failed publishes since the last success
 * @param leftOut the served kids the target does not hold after the last successful publish (GCP holds 8 keys)
 */
public record TargetStatus(String target, String lastResult, long lastRevision, Instant lastSuccess, String lastError,
    Instant lastErrorAt, long consecutiveFailures, List<String> leftOut) {
  public TargetStatus {
    leftOut = List.copyOf(leftOut);
  }

  static TargetStatus initial(String target) {
    return new TargetStatus(target, null, -1, null, null, null, 0, List.of());
  }

  /** The latest publish succeeded. */
  public boolean healthy() {
    return lastResult != null && consecutiveFailures == 0;
  }

  TargetStatus succeeded(String result, long revision, Instant at, List<String> left) {
    return new TargetStatus(target, result, revision, at, lastError, lastErrorAt, 0, left);
  }

  TargetStatus failed(String error, Instant at) {
    return new TargetStatus(target, "error", lastRevision, lastSuccess, error, at, consecutiveFailures + 1, leftOut);
  }
}
