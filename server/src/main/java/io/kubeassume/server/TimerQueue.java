package io.kubeassume.server;

import io.vertx.core.Vertx;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * Many timers on one Vert.x timer: a queue ordered by deadline, and a single Vert.x timer set for
 * the earliest. A pending timer is one small entry (about 40 bytes) instead of a Vert.x timer's
 * four objects, which is what lets a fleet's leader hold one per issuer (docs/fleet.md#sizing).
 * Not thread-safe by design: create it, schedule and cancel on one context (the fleet's), where
 * its tasks run too. Cancelling removes the entry at once, so cancelled timers hold no memory.
 */
public final class TimerQueue implements LoopTimers {
  private final Vertx vertx;
  private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> {
    int byDeadline = Long.compare(a.deadline - b.deadline, 0);
    return byDeadline != 0 ? byDeadline : Long.compare(a.order, b.order);
  });
  private long order;
  /** The Vert.x timer set for the earliest deadline, or -1; and that deadline. */
  private long armed = -1;
  private long armedFor;
  private boolean closed;

  public TimerQueue(Vertx vertx) {
    this.vertx = vertx;
  }

  private final class Entry implements Timer {
    final long deadline;
    final long order;
    Runnable task;

    Entry(long deadline, long order, Runnable task) {
      this.deadline = deadline;
      this.order = order;
      this.task = task;
    }

    @Override
    public void cancel() {
      if (task != null) {
        task = null;
        queue.remove(this);
        arm();
      }
    }
  }

  @Override
  public Timer schedule(long delayMs, Runnable task) {
    Entry e = new Entry(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, delayMs)), order++, task);
    if (!closed) {
      queue.add(e);
      arm();
    }
    return e;
  }

  /** Timers pending (for tests and metrics). */
  public int size() {
    return queue.size();
  }

  /** Drops every pending timer; later ones are never run. */
  public void close() {
    closed = true;
    queue.clear();
    if (armed != -1) {
      vertx.cancelTimer(armed);
      armed = -1;
    }
  }

  /** Sets the Vert.x timer for the earliest deadline, unless it is set for that already. */
  private void arm() {
    Entry head = queue.peek();
    if (head == null || closed) {
      if (armed != -1) {
        vertx.cancelTimer(armed);
        armed = -1;
      }
      return;
    }
    if (armed != -1 && armedFor - head.deadline <= 0) {
      return; // it fires no later than the head is due; fire() runs whatever is due then
    }
    if (armed != -1) {
      vertx.cancelTimer(armed);
    }
    armedFor = head.deadline;
    long delay = TimeUnit.NANOSECONDS.toMillis(head.deadline - System.nanoTime()) + 1;
    armed = vertx.setTimer(Math.max(1, delay), id -> fire());
  }

  private void fire() {
    armed = -1;
    long now = System.nanoTime();
    Entry head;
    while (!closed && (head = queue.peek()) != null && head.deadline - now <= 0) {
      queue.poll();
      Runnable task = head.task;
      head.task = null;
      if (task != null) {
        task.run(); // may schedule or cancel: the queue is consistent here
      }
    }
    arm();
  }
}
