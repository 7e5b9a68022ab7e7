package io.kubeassume.server;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * When the sync loop reads the source next, pure. After a success: the poll interval ±10%, so
 * replicas and restarts do not poll in step. After failures: 1s, 2s, 4s, ... doubling up to five
 * poll intervals (±10%), so a failing API server is not hammered and a blip is retried soon.
 */
final class PollSchedule {
  static final double JITTER = 0.1;
  static final int BACKOFF_CAP_INTERVALS = 5;

  /** The schedule built last: a fleet's loops all poll at one interval and share it (it is immutable). */
  private static volatile PollSchedule shared;

  private final Duration interval;
  private final DoubleSupplier random;

  /** A schedule with random jitter; the same instance for the same interval as the last one asked for. */
  static PollSchedule jittered(Duration interval) {
    PollSchedule last = shared;
    if (last != null && last.interval.equals(interval)) {
      return last;
    }
    last = new PollSchedule(interval, () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());
    shared = last;
    return last;
  }

  PollSchedule(Duration interval, DoubleSupplier random) {
    this.interval = interval;
    this.random = random;
  }

  Duration afterSuccess() {
    return jittered(interval.toMillis());
  }

  Duration afterFailures(long consecutiveFailures) {
    long first = Math.min(1000, interval.toMillis());
    long cap = interval.toMillis() * BACKOFF_CAP_INTERVALS;
    int doublings = (int) Math.min(Math.max(consecutiveFailures - 1, 0), 30);
    return jittered(Math.min(first << doublings, cap));
  }

  private Duration jittered(long millis) {
    double factor = 1 + JITTER * (2 * random.getAsDouble() - 1);
    return Duration.ofMillis(Math.max(1, Math.round(millis * factor)));
  }
}
