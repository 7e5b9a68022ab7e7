package io.kubeassume.fleet.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmallMapTest {
  @Test
  void keepsEntriesInOrderAndDropsNullValues() {
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("type", "Ready");
    source.put("status", "True");
    source.put("reason", null);
    source.put("observedGeneration", 3L);
    Map<String, Object> m = OidcIssuers.SmallMap.of(source);
    assertEquals(Map.of("type", "Ready", "status", "True", "observedGeneration", 3L), m);
    assertEquals(java.util.List.of("type", "status", "observedGeneration"), java.util.List.copyOf(m.keySet()));
    assertNull(m.get("reason"));
  }

  @Test
  void conditionsOfManyIssuersShareTheirKeysAndValues() {
    Map<String, Object> a = OidcIssuers.SmallMap.of(Map.of("type", new String("Ready"), "status", "True"));
    Map<String, Object> b = OidcIssuers.SmallMap.of(Map.of("type", new String("Ready"), "status", "True"));
    assertSame(a.keySet().iterator().next(), b.keySet().iterator().next());
    assertSame(a.get("type"), b.get("type"));
  }

  @Test
  void handWrittenConditionsWithEndlesslyNewKeysDoNotGrowTheSharedTable() {
    for (int i = 0; i < 500; i++) {
      Map<String, Object> m = OidcIssuers.SmallMap.of(Map.of("type", "Ready", "extra-" + i, "x" + i));
      assertEquals("x" + i, m.get("extra-" + i), "entry " + i);
    }
    assertTrue(OidcIssuers.SmallMap.sharedKeySets() <= OidcIssuers.SmallMap.MAX_SHARED_KEY_SETS,
        OidcIssuers.SmallMap.sharedKeySets() + " key sets shared");
  }
}
