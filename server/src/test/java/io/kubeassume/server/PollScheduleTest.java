package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PollScheduleTest {
  @Test
  void successesPollAtTheIntervalWithTenPercentJitter() {
    assertEquals(Duration.ofSeconds(27), new PollSchedule(Duration.ofSeconds(30), () -> 0.0).afterSuccess());
    assertEquals(Duration.ofSeconds(30), new PollSchedule(Duration.ofSeconds(30), () -> 0.5).afterSuccess());
    assertEquals(Duration.ofMillis(31_500), new PollSchedule(Duration.ofSeconds(30), () -> 0.75).afterSuccess());
  }

  @Test
  void failuresBackOffExponentiallyFromOneSecondUpToFiveIntervals() {
    PollSchedule s = new PollSchedule(Duration.ofSeconds(30), () -> 0.5);
    assertEquals(Duration.ofSeconds(1), s.afterFailures(1));
    assertEquals(Duration.ofSeconds(2), s.afterFailures(2));
    assertEquals(Duration.ofSeconds(4), s.afterFailures(3));
    assertEquals(Duration.ofSeconds(128), s.afterFailures(8));
    assertEquals(Duration.ofSeconds(150), s.afterFailures(9));
    assertEquals(Duration.ofSeconds(150), s.afterFailures(1_000));
  }

  @Test
  void aShortIntervalStartsTheBackoffAtTheInterval() {
    PollSchedule s = new PollSchedule(Duration.ofMillis(200), () -> 0.5);
    assertEquals(Duration.ofMillis(200), s.afterFailures(1));
    assertEquals(Duration.ofMillis(1000), s.afterFailures(10));
  }
}
