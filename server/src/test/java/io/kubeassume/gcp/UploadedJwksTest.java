package io.kubeassume.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.keys.SigningKey;
import io.kubeassume.merge.KeyRecord;
import io.kubeassume.mirror.Snapshots;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UploadedJwksTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static KeyRecord current(String kid, int minute) {
    return new KeyRecord(Snapshots.key(kid), T0.plusSeconds(60L * minute), null);
  }

  private static KeyRecord retired(String kid, int firstSeen, int retiredAt) {
    return new KeyRecord(Snapshots.key(kid), T0.plusSeconds(60L * firstSeen), T0.plusSeconds(60L * retiredAt));
  }

  @Test
  void currentKeysGoFirstThenTheMostRecentlyRetiredAndTheOldestRetiredAreLeftOut() {
    // Served order is first-seen order; retirement times are deliberately not in that order.
    List<KeyRecord> served = List.of(
        retired("r1", 1, 10), retired("r2", 2, 30), retired("r3", 3, 20), retired("r4", 4, 50), retired("r5", 5, 40),
        current("c1", 6), retired("r6", 7, 60), retired("r7", 8, 70), retired("r8", 9, 80), current("c2", 10));

    UploadedJwks.Selection s = UploadedJwks.select(served);

    assertEquals(List.of("c1", "c2", "r8", "r7", "r6", "r4", "r5", "r2"), s.kids());
    assertEquals(List.of("r3", "r1"), s.leftOut(), "the two retired longest ago, most recent first");
    assertEquals(UploadedJwks.MAX_KEYS, s.keys().size());
    assertEquals(s.kids(), s.keys().stream().map(k -> k.get("kid")).toList());
  }

  @Test
  void retiredKeysRetiredAtTheSameMomentKeepTheLaterServedOneFirst() {
    List<KeyRecord> served = new ArrayList<>();
    served.add(current("c", 0));
    for (int i = 1; i <= 8; i++) {
      served.add(retired("r" + i, i, 100));
    }
    UploadedJwks.Selection s = UploadedJwks.select(served);
    assertEquals(List.of("c", "r8", "r7", "r6", "r5", "r4", "r3", "r2"), s.kids());
    assertEquals(List.of("r1"), s.leftOut());
  }

  @Test
  void eightOrFewerKeysAreAllUploadedAndNothingIsLeftOut() {
    UploadedJwks.Selection s = UploadedJwks.select(List.of(retired("old", 0, 5), current("new", 1)));
    assertEquals(List.of("new", "old"), s.kids());
    assertEquals(List.of(), s.leftOut());
  }

  @Test
  void aCurrentKeyThatCannotFitIsAnErrorNotADrop() {
    List<KeyRecord> served = new ArrayList<>();
    for (int i = 1; i <= 9; i++) {
      served.add(current("c" + i, i));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UploadedJwks.select(served));
    assertEquals("9 current keys are served but GCP holds at most 8 in an uploaded JWKS, so [c9] could not be uploaded",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> UploadedJwks.select(List.of()));
  }

  @Test
  void theUploadHasOnlyTheMembersGcpAcceptsInTheApiServersOrder() {
    SigningKey rsa = Snapshots.rsaKey("rk");
    SigningKey ec = Snapshots.key("ek");
    UploadedJwks.Selection s = UploadedJwks.select(List.of(new KeyRecord(rsa, T0, null), new KeyRecord(ec, T0, null)));
    JsonObject json = new JsonObject(s.json());
    assertEquals(List.of("use", "kty", "kid", "alg", "n", "e"),
        List.copyOf(json.getJsonArray("keys").getJsonObject(0).fieldNames()));
    assertEquals(List.of("use", "kty", "kid", "crv", "alg", "x", "y"),
        List.copyOf(json.getJsonArray("keys").getJsonObject(1).fieldNames()));
    assertTrue(s.json().startsWith("{\"keys\":[{\"use\":\"sig\",\"kty\":\"RSA\",\"kid\":\"rk\",\"alg\":\"RS256\",\"n\":"),
        s.json());

    Map<String, Object> withExtras = new LinkedHashMap<>();
    withExtras.put("x5c", List.of("MIIB"));
    withExtras.put("kty", "RSA");
    withExtras.put("key_ops", List.of("verify"));
    withExtras.put("kid", "k");
    withExtras.put("d", "private!");
    withExtras.put("n", "abc");
    withExtras.put("e", "AQAB");
    assertEquals(List.of("kty", "kid", "n", "e"), List.copyOf(UploadedJwks.accepted(withExtras).keySet()));
  }

  @Test
  void theSameKeySetIsTheSameWhateverTheOrderAndTheMembersGcpDrops() {
    List<Map<String, Object>> a = UploadedJwks.parse("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"1\",\"n\":\"x\",\"e\":\"AQAB\"},"
        + "{\"kty\":\"EC\",\"kid\":\"2\",\"crv\":\"P-256\",\"x\":\"a\",\"y\":\"b\"}]}");
    List<Map<String, Object>> b = UploadedJwks.parse("{\"keys\":[{\"kid\":\"2\",\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"a\","
        + "\"y\":\"b\",\"x5t\":\"t\"},{\"e\":\"AQAB\",\"n\":\"x\",\"kid\":\"1\",\"kty\":\"RSA\"}]}");
    List<Map<String, Object>> c = UploadedJwks.parse("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"1\",\"n\":\"y\",\"e\":\"AQAB\"},"
        + "{\"kty\":\"EC\",\"kid\":\"2\",\"crv\":\"P-256\",\"x\":\"a\",\"y\":\"b\"}]}");
    assertTrue(UploadedJwks.sameKeys(a, b));
    assertFalse(UploadedJwks.sameKeys(a, c), "same kids, other key material");
    assertFalse(UploadedJwks.sameKeys(a, a.subList(0, 1)));
    assertFalse(UploadedJwks.sameKeys(null, a));

    UploadedJwks.Difference d = UploadedJwks.compare(c, a);
    assertEquals(Set.of("1"), d.changed());
    assertTrue(d.missing().isEmpty() && d.extra().isEmpty());
    d = UploadedJwks.compare(a.subList(0, 1), b);
    assertEquals(Set.of("2"), d.missing());
    d = UploadedJwks.compare(a, b.subList(0, 1));
    assertEquals(Set.of("1"), d.extra());
    assertTrue(UploadedJwks.compare(a, b).none());
  }

  @Test
  void anAbsentOrBrokenUploadReadsAsNone() {
    assertNull(UploadedJwks.parse(null));
    assertNull(UploadedJwks.parse(""));
    assertNull(UploadedJwks.parse("not json"));
    assertNull(UploadedJwks.parse("{\"keys\":\"x\"}"));
    assertNull(UploadedJwks.parse("{\"keys\":[1]}"));
    assertEquals(List.of(), UploadedJwks.parse("{\"keys\":[]}"));
  }

  @Test
  void aFileForUploadIsCheckedAsGcpWould() {
    assertNull(UploadedJwks.problem(new JsonObject(UploadedJwks.select(List.of(current("a", 0))).json())));
    assertEquals("has no keys", UploadedJwks.problem(new JsonObject("{\"keys\":[]}")));
    assertTrue(UploadedJwks.problem(new JsonObject("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"s\"}]}"))
        .contains("key s has kty 'oct'; GCP accepts RSA or EC"));
    assertTrue(UploadedJwks.problem(new JsonObject("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"s\",\"x5c\":[]}]}"))
        .startsWith("key s has member 'x5c'; GCP accepts only [alg, crv, e, kid, kty, n, use, x, y]"));
  }
}
