package io.kubeassume.server.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.server.guard.ConnectionTable.Closing;
import io.kubeassume.server.guard.ConnectionTable.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionTableTest {
  private static final long S = 1_000_000_000L;
  /** 3 connections, 2 in-flight responses, request timeout 10 s, idle 30 s, write 10 s, evict after 1 s idle. */
  private final ConnectionTable<String> table = new ConnectionTable<>(3, 2, 10 * S, 30 * S, 10 * S, S);

  @Test
  void aConnectionThatNeverSendsARequestIsClosedAtTheRequestTimeout() {
    table.opened("idle", 0);
    assertEquals(List.of(), table.expired(10 * S - 1));
    assertEquals(List.of(new Closing<>("idle", Reason.REQUEST_TIMEOUT)), table.expired(10 * S));
    assertEquals(List.of(), table.expired(11 * S), "handed out once");
  }

  @Test
  void anAnsweredConnectionMayIdleLongerThanANewOne() {
    table.opened("keep-alive", 0);
    table.requestStarted("keep-alive", 1 * S);
    table.responseWritten("keep-alive", 1 * S);
    assertEquals(List.of(), table.expired(30 * S), "idle 29 s after its answer");
    assertEquals(List.of(new Closing<>("keep-alive", Reason.IDLE_TIMEOUT)), table.expired(31 * S));
  }

  @Test
  void aResponseTheClientDoesNotReadIsClosedAtTheWriteTimeout() {
    table.opened("stalled", 0);
    table.requestStarted("stalled", 5 * S);
    assertEquals(List.of(), table.expired(14 * S), "the request timeout no longer applies once a request arrived");
    assertEquals(List.of(new Closing<>("stalled", Reason.WRITE_TIMEOUT)), table.expired(15 * S));
  }

  @Test
  void eachWrittenResponseRestartsTheWriteDeadline() {
    table.opened("h2", 0);
    table.requestStarted("h2", 0);
    table.requestStarted("h2", 0);
    table.responseWritten("h2", 8 * S);
    assertEquals(List.of(), table.expired(17 * S), "progress 9 s ago");
    assertEquals(Reason.WRITE_TIMEOUT, table.expired(18 * S).get(0).reason());
  }

  @Test
  void atTheCapAConnectionNeverAnsweredGivesWayOldestFirst() {
    table.opened("a", 0);
    table.opened("b", 1);
    table.opened("c", 2);
    table.requestStarted("a", 3);
    table.responseWritten("a", 3); // a was answered: it is not among the first to go
    assertEquals(new Closing<>("b", Reason.CONNECTION_LIMIT), table.opened("d", 4));
    assertEquals(new Closing<>("c", Reason.CONNECTION_LIMIT), table.opened("e", 5), "b is already being closed");
    table.closed("b");
    table.closed("c");
    assertEquals(3, table.open());
  }

  @Test
  void atTheCapAnAnsweredConnectionGivesWayOnlyOnceIdleForAWhile() {
    for (String c : List.of("a", "b", "c")) {
      table.opened(c, 0);
      table.requestStarted(c, 0);
      table.responseWritten(c, 0);
    }
    table.requestStarted("a", S / 2);
    table.responseWritten("a", S / 2);
    assertEquals(new Closing<>("d", Reason.CONNECTION_LIMIT), table.opened("d", S / 2),
        "every connection was busy a moment ago: the newcomer is refused, nobody is evicted");
    assertEquals(new Closing<>("b", Reason.CONNECTION_LIMIT), table.opened("e", S),
        "b and c have been idle 1 s; b's last response is the oldest");
  }

  @Test
  void aConnectionBeingClosedMakesRoomWithoutAnotherEviction() {
    table.opened("a", 0);
    table.opened("b", 0);
    table.opened("c", 0);
    assertEquals(new Closing<>("a", Reason.REQUEST_TIMEOUT), table.expired(10 * S).get(0));
    assertNull(table.opened("d", 10 * S), "a is on its way out");
  }

  @Test
  void theInFlightCapClosesTheConnectionWhoseResponsesWaitedLongest() {
    ConnectionTable<String> t = new ConnectionTable<>(10, 2, 10 * S, 30 * S, 10 * S, S);
    t.opened("idle", 0);
    t.opened("stalled", 1);
    t.opened("good", 2);
    t.requestStarted("stalled", 3);
    t.requestStarted("stalled", 3);
    Closing<String> closing = t.requestStarted("good", 4);
    assertEquals(new Closing<>("stalled", Reason.IN_FLIGHT_LIMIT), closing);
    t.closed("stalled");
    assertEquals(1, t.inFlight(), "the stalled connection's two responses are released with it");
  }

  @Test
  void aConnectionOverTheInFlightCapOnItsOwnIsLeftToItsWriteDeadline() {
    table.opened("greedy", 0);
    table.requestStarted("greedy", 1);
    table.requestStarted("greedy", 1);
    assertNull(table.requestStarted("greedy", 1), "no other connection holds a response to release");
    assertEquals(Reason.WRITE_TIMEOUT, table.expired(11 * S).get(0).reason());
  }

  @Test
  void aResetResponseReleasesItsSlotWithoutCountingAsProgress() {
    table.opened("reset", 0);
    table.opened("b", 1);
    table.opened("c", 2);
    table.requestStarted("reset", 3);
    table.responseFailed("reset", 4);
    assertEquals(0, table.inFlight());
    assertEquals(new Closing<>("reset", Reason.CONNECTION_LIMIT), table.opened("d", 5), "still the least active");
  }

  @Test
  void reportsAboutUnknownConnectionsAreIgnored() {
    assertNull(table.requestStarted("gone", 0));
    table.responseWritten("gone", 0);
    table.responseFailed("gone", 0);
    table.closed("gone");
    assertEquals(0, table.open());
    assertEquals(0, table.inFlight());
    assertTrue(table.expired(100 * S).isEmpty());
  }
}
