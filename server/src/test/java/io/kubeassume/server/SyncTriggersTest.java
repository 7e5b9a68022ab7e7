package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.server.SyncTriggers.Work;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** What the sync loop runs next, on a simulated clock: no trigger runs a failing kind of work sooner than its backoff. */
class SyncTriggersTest {
  static final long SECOND = Duration.ofSeconds(1).toNanos();
  static final long MS = Duration.ofMillis(1).toNanos();

  /** Poll interval 1 s, no jitter: backoff 1 s, 2 s, 4 s, then 5 s (five intervals). */
  final SyncTriggers triggers = new SyncTriggers(new PollSchedule(Duration.ofSeconds(1), () -> 0.5));

  @Test
  void startUpReadsAtOnceAndARequestIsTakenOnce() {
    triggers.read();
    triggers.read();
    assertEquals(Optional.of(Work.READ), triggers.take(0));
    assertEquals(Optional.empty(), triggers.take(0), "two requests before a run cause one run");
    assertEquals(OptionalLong.empty(), triggers.wakeAt(), "nothing wanted, nothing to wake for");
  }

  @Test
  void aRequestDuringARunCausesExactlyOneMore() {
    triggers.read();
    assertEquals(Optional.of(Work.READ), triggers.take(0));
    triggers.read();
    triggers.read();
    triggers.readSucceeded();
    assertEquals(Optional.of(Work.READ), triggers.take(MS));
    triggers.readSucceeded();
    assertEquals(Optional.empty(), triggers.take(2 * MS));
  }

  @Test
  void aFailedReadIsRetriedOnlyAfterTheBackoffHoweverOftenItIsAsked() {
    triggers.read();
    assertEquals(Optional.of(Work.READ), triggers.take(0));
    triggers.readFailed(0);
    for (long t = 0; t < SECOND; t += MS) {
      triggers.read(); // a poll timer gone wild
      assertEquals(Optional.empty(), triggers.take(t), "read at " + t / MS + " ms, inside the 1 s backoff");
    }
    assertEquals(OptionalLong.of(SECOND), triggers.wakeAt());
    assertEquals(Optional.of(Work.READ), triggers.take(SECOND));
    triggers.readFailed(SECOND);
    assertEquals(Optional.empty(), triggers.take(SECOND + SECOND), "the second failure waits 2 s");
    assertEquals(OptionalLong.of(3 * SECOND), triggers.wakeAt());
    assertEquals(Optional.of(Work.READ), triggers.take(3 * SECOND));
  }

  @Test
  void aFailedReadIsRetriedWithoutBeingAskedAgain() {
    triggers.read();
    triggers.take(0);
    triggers.readFailed(0);
    assertEquals(Optional.of(Work.READ), triggers.take(SECOND), "the retry is wanted by the failure itself");
  }

  @Test
  void aChangeNoticeReadsAtOnceEvenDuringTheBackoff() {
    triggers.read();
    triggers.take(0);
    triggers.readFailed(0);
    triggers.changed();
    assertEquals(Optional.of(Work.READ), triggers.take(MS), "a change carries new content");
    triggers.readFailed(MS);
    assertEquals(Optional.empty(), triggers.take(2 * MS), "then the backoff applies again");
  }

  @Test
  void anExpiryDuringAReadBackoffWritesAtOnceWithoutReading() {
    triggers.read();
    triggers.take(0);
    triggers.readFailed(0);
    triggers.write(); // the overlap window ends while the source is failing
    assertEquals(Optional.of(Work.WRITE), triggers.take(MS));
    triggers.writeSucceeded();
    assertEquals(Optional.empty(), triggers.take(2 * MS), "the read still waits for its backoff");
  }

  @Test
  void aFailedWriteBacksOffToo() {
    triggers.write();
    assertEquals(Optional.of(Work.WRITE), triggers.take(0));
    triggers.writeFailed(0);
    for (long t = 0; t < SECOND; t += MS) {
      triggers.write(); // an expiry timer that fires again and again
      assertEquals(Optional.empty(), triggers.take(t), "write at " + t / MS + " ms, inside the 1 s backoff");
    }
    assertEquals(Optional.of(Work.WRITE), triggers.take(SECOND));
    triggers.writeFailed(SECOND);
    assertEquals(OptionalLong.of(3 * SECOND), triggers.wakeAt());
  }

  @Test
  void aWriteRidesAlongWithAReadAndIsWantedAgainIfTheReadFails() {
    triggers.write();
    triggers.read();
    assertEquals(Optional.of(Work.READ), triggers.take(0), "the read's merge applies the expiry too");
    triggers.readFailed(0);
    assertEquals(Optional.of(Work.WRITE), triggers.take(MS), "the read failed: the write runs on its own, at once");
  }

  @Test
  void aWriteThatRodeAlongWithASuccessfulReadIsDone() {
    triggers.write();
    triggers.read();
    triggers.take(0);
    triggers.readSucceeded();
    assertEquals(Optional.empty(), triggers.take(MS));
  }

  @Test
  void aSuccessfulReadEndsBothBackoffs() {
    triggers.write();
    triggers.take(0);
    triggers.writeFailed(0);
    triggers.changed();
    triggers.take(MS);
    triggers.readSucceeded();
    triggers.write();
    assertEquals(Optional.of(Work.WRITE), triggers.take(2 * MS));
  }

  @Test
  void wakeAtIsTheEarlierOfTwoBackoffs() {
    triggers.read();
    triggers.take(0);
    triggers.readFailed(0); // reads again at 1 s
    triggers.write();
    triggers.take(0);
    triggers.writeFailed(500 * MS); // writes again at 1.5 s
    assertEquals(OptionalLong.of(SECOND), triggers.wakeAt());
    assertEquals(Optional.of(Work.READ), triggers.take(SECOND));
  }

  /**
   * The retry storm of issue 10: a failing source, and timers asking for a read and a write every
   * millisecond for a minute. Reads follow the backoff (0, 1, 3, 7, 12, ... s); writes, failing
   * too, the same.
   */
  @Test
  void triggersEveryMillisecondAgainstAFailingSourceAndStoreRunAsTheBackoffAllows() {
    List<Long> reads = new ArrayList<>();
    List<Long> writes = new ArrayList<>();
    for (long t = 0; t < 60 * SECOND; t += MS) {
      triggers.read();
      triggers.write();
      Optional<Work> work = triggers.take(t);
      if (work.isPresent() && work.get() == Work.READ) {
        reads.add(t / SECOND);
        triggers.readFailed(t);
      } else if (work.isPresent()) {
        writes.add(t / SECOND);
        triggers.writeFailed(t);
      }
    }
    assertEquals(List.of(0L, 1L, 3L, 7L, 12L, 17L, 22L, 27L, 32L, 37L, 42L, 47L, 52L, 57L), reads);
    assertEquals(reads, writes, "each failing kind on its own backoff");
    assertTrue(reads.size() + writes.size() < 30, "not thousands");
  }
}
