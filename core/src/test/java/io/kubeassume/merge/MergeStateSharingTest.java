package io.kubeassume.merge;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.keys.SigningKey;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A state decoded elsewhere takes the source's instance of each identical key, so a fleet keeps one copy. */
class MergeStateSharingTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void identicalKeysAreReplacedByTheKnownInstanceAndTheHistoryIsKept() {
    SigningKey current = TestKeys.key("current");
    SigningKey retired = TestKeys.key("retired");
    MergeState decoded = new MergeState(7, List.of(new KeyRecord(TestKeys.copyOf(current, "status"), T0, null),
        new KeyRecord(retired, T0, T0.plusSeconds(60))));

    MergeState shared = decoded.withKeysFrom(k -> k.sameAs(current) ? current : k);

    assertSame(current, shared.keys().get(0).key());
    assertSame(retired, shared.keys().get(1).key(), "a key the source no longer has stays as decoded");
    assertTrue(shared.sameAs(decoded), "same revision, keys and history");
  }

  @Test
  void nothingKnownLeavesTheStateAsItIs() {
    MergeState decoded = new MergeState(1, List.of(new KeyRecord(TestKeys.key("a"), T0, null)));
    assertSame(decoded, decoded.withKeysFrom(k -> k));
  }

  @Test
  void aDifferentKeyIsNeverSwappedIn() {
    SigningKey other = TestKeys.key("a");
    MergeState decoded = new MergeState(1, List.of(new KeyRecord(TestKeys.key("a"), T0, null)));
    MergeState result = decoded.withKeysFrom(k -> other);
    assertNotSame(other, result.keys().get(0).key(), "same kid, other material: not the same key");
  }
}
