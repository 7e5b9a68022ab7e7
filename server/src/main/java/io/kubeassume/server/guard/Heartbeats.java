package io.kubeassume.server.guard;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Proof of life of the event loops serving a port: each beats from its own periodic timer, so a loop
 * that is blocked, dead or starved stops beating. /healthz fails when any beat is older than the
 * limit, and Kubernetes restarts a process that can no longer serve.
 */
public final class Heartbeats {
  private final AtomicLongArray beats;

  public Heartbeats(int loops, long now) {
    beats = new AtomicLongArray(loops);
    for (int i = 0; i < loops; i++) {
      beats.set(i, now);
    }
  }

  public int size() {
    return beats.length();
  }

  public void beat(int loop, long now) {
    beats.set(loop, now);
  }

  /** The index of the loop that has been silent longest, if longer than {@code limitNanos}; else -1. */
  public int silentLoop(long now, long limitNanos) {
    int worst = -1;
    long oldest = Long.MAX_VALUE;
    for (int i = 0; i < beats.length(); i++) {
      long beat = beats.get(i);
      if (now - beat > limitNanos && beat < oldest) {
        oldest = beat;
        worst = i;
      }
    }
    return worst;
  }

  /** How long loop {@code loop} has been silent. */
  public long silentFor(int loop, long now) {
    return now - beats.get(loop);
  }
}
