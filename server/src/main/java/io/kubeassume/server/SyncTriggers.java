package io.kubeassume.server;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the sync loop runs next, and when, pure: no timers and no I/O; times are
 * {@link System#nanoTime()} values.
 *
 * <p>Two kinds of work. A {@link Work#READ} reads the source, merges onto the stored state and
 * saves: asked at start-up, by the poll timer and by the source's change notices. A
 * {@link Work#WRITE} saves the state without reading the source: asked when a retired key's
 * overlap window ends (an expiry) and when the ConfigMap needs a repair. A READ does a WRITE's work
 * too (its merge starts from the stored state at the current time), so a wanted WRITE rides along
 * with a READ that starts, and is wanted again if that READ fails.
 *
 * <p>Each kind backs off on its own after failures, by {@link PollSchedule#afterFailures}: a
 * failing source is read, and a failing store written, no faster than 1 s, 2 s, 4 s, ... up to
 * five poll intervals, however often timers, notices or repair messages ask. A request during a
 * backoff is kept (once) and runs when the backoff ends; a failed READ or WRITE is itself wanted
 * again, so it is retried then. The one exception is a change notice from the source: it carries
 * new content (an operator replaced a broken key file), so it reads at once even during a backoff;
 * the file watcher's quiet period bounds how often that can happen.
 */
final class SyncTriggers {
  enum Work { READ, WRITE }

  private final PollSchedule schedule;
  /** Each kind's backoff: consecutive failures, and when it may run again. Fields, not objects: a fleet's leader holds one of these per issuer. */
  private int readFailures;
  private long readOpenAt;
  private int writeFailures;
  private long writeOpenAt;
  private boolean readWanted;
  private boolean readAtOnce;
  private boolean writeWanted;
  /** A WRITE that rides along with the READ running now; wanted again if that READ fails. */
  private boolean writeInRead;

  SyncTriggers(PollSchedule schedule) {
    this.schedule = schedule;
  }

  /** Start-up or the poll timer: read the source when its backoff allows. */
  void read() {
    readWanted = true;
  }

  /** The source reported a change: read it at once, backoff or not. */
  void changed() {
    readWanted = true;
    readAtOnce = true;
  }

  /** An overlap window ended, or the store needs a repair: write the state when the store's backoff allows. */
  void write() {
    writeWanted = true;
  }

  /** The work to start now, if any; it is no longer wanted until asked again (or it fails). */
  Optional<Work> take(long now) {
    if (readWanted && (readAtOnce || open(readFailures, readOpenAt, now))) {
      readWanted = false;
      readAtOnce = false;
      writeInRead = writeWanted;
      writeWanted = false;
      return Optional.of(Work.READ);
    }
    if (writeWanted && open(writeFailures, writeOpenAt, now)) {
      writeWanted = false;
      return Optional.of(Work.WRITE);
    }
    return Optional.empty();
  }

  /** When wanted work that {@link #take} held back may start: the earliest end of a backoff it waits for. */
  OptionalLong wakeAt() {
    if (readWanted && writeWanted) {
      return OptionalLong.of(readOpenAt - writeOpenAt < 0 ? readOpenAt : writeOpenAt);
    }
    if (readWanted) {
      return OptionalLong.of(readOpenAt);
    }
    return writeWanted ? OptionalLong.of(writeOpenAt) : OptionalLong.empty();
  }

  /** A READ (and the write it included) succeeded: the source and the store work, so no backoff is left. */
  void readSucceeded() {
    readFailures = 0;
    writeFailures = 0;
    writeInRead = false;
  }

  /** A READ failed at {@code now}: it is retried after the backoff, and a WRITE that rode along is wanted on its own. */
  void readFailed(long now) {
    readFailures = failed(readFailures);
    readOpenAt = now + schedule.afterFailures(readFailures).toNanos();
    readWanted = true;
    writeWanted |= writeInRead;
    writeInRead = false;
  }

  void writeSucceeded() {
    writeFailures = 0;
  }

  /** A WRITE failed at {@code now}: it is retried after the store's backoff. */
  void writeFailed(long now) {
    writeFailures = failed(writeFailures);
    writeOpenAt = now + schedule.afterFailures(writeFailures).toNanos();
    writeWanted = true;
  }

  private static boolean open(int failures, long openAt, long now) {
    return failures == 0 || now - openAt >= 0;
  }

  /** One more consecutive failure (the backoff stops growing long before the count could overflow). */
  private static int failed(int failures) {
    return failures == Integer.MAX_VALUE ? failures : failures + 1;
  }
}
