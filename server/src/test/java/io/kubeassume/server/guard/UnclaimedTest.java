package io.kubeassume.server.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class UnclaimedTest {
  @Test
  void keepsAtMostMaxAndGivesBackTheOldest() {
    Unclaimed<String, String> u = new Unclaimed<>(2);
    assertNull(u.add("a", "A"));
    assertNull(u.add("b", "B"));
    assertEquals("A", u.add("c", "C"));
    assertEquals(2, u.size());
  }

  @Test
  void aClaimedConnectionLeavesAndMakesRoom() {
    Unclaimed<String, String> u = new Unclaimed<>(2);
    u.add("a", "A");
    u.add("b", "B");
    u.claim("a");
    assertNull(u.add("c", "C"));
    assertEquals("B", u.add("d", "D"));
  }

  @Test
  void aClosedConnectionLeavesOnlyIfTheKeyIsStillItsOwn() {
    Unclaimed<String, String> u = new Unclaimed<>(3);
    u.add("a", "A");
    u.add("a", "A2"); // the same remote address and port, reused by a newer connection
    u.remove("a", "A");
    assertEquals(1, u.size(), "the newer connection stays");
    u.remove("a", "A2");
    assertEquals(0, u.size());
  }
}
