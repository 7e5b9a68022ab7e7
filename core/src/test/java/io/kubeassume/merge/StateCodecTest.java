package io.kubeassume.merge;

import static io.kubeassume.merge.TestKeys.key;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.kubeassume.keys.InvalidKeyException;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateCodecTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T1 = Instant.parse("2026-01-02T03:04:05.123456789Z");

  private static MergeState sampleState() throws Exception {
    SigningKey rsa = KeyParser.parseJwk("rsa.json",
        new HashMap<>(new RSAKeyGenerator(2048).keyID("rsa").generate().toPublicJWK().toJSONObject()));
    return new MergeState(7, List.of(
        new KeyRecord(rsa, T0, T1),
        new KeyRecord(key("ec"), T0.plusSeconds(1), null)));
  }

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private static String entry(String kid, String firstSeen, Map<String, Object> jwk) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("kid", kid);
    e.put("firstSeen", firstSeen);
    e.put("jwk", jwk);
    return JSONObjectUtils.toJSONString(e);
  }

  private static String state(String... entries) {
    return "{\"format\":\"kubeassume/state/v1\",\"revision\":3,\"keys\":[" + String.join(",", entries) + "]}";
  }

  private static InvalidKeyException rejected(String json) {
    return assertThrows(InvalidKeyException.class, () -> StateCodec.decode("state.json", bytes(json)));
  }

  @Test
  void roundTripPreservesRevisionKidsHistoryAndKeys() throws Exception {
    MergeState original = sampleState();
    MergeState decoded = StateCodec.decode("state.json", StateCodec.encode(original));
    assertEquals(7, decoded.revision());
    assertEquals(List.of("rsa", "ec"), decoded.keys().stream().map(KeyRecord::kid).toList());
    for (int i = 0; i < original.keys().size(); i++) {
      KeyRecord before = original.keys().get(i);
      KeyRecord after = decoded.keys().get(i);
      assertEquals(before.firstSeen(), after.firstSeen());
      assertEquals(before.retiredAt(), after.retiredAt());
      assertTrue(before.key().sameAs(after.key()));
      assertEquals(before.key().thumbprint(), after.key().thumbprint());
      assertEquals("state.json", after.key().origin());
    }
    assertTrue(decoded.sameAs(original));
    assertTrue(decoded.servesSameKeysAs(original));
  }

  @Test
  void encodingIsStableAcrossARoundTrip() throws Exception {
    byte[] once = StateCodec.encode(sampleState());
    byte[] twice = StateCodec.encode(StateCodec.decode("state.json", once));
    assertArrayEquals(once, twice);
  }

  @Test
  void emptyStateRoundTrips() throws Exception {
    MergeState decoded = StateCodec.decode("s", StateCodec.encode(MergeState.EMPTY));
    assertEquals(0, decoded.revision());
    assertTrue(decoded.keys().isEmpty());
  }

  @Test
  void encodedStateNamesItsFormatAndHoldsNoPrivateMembers() throws Exception {
    Map<String, Object> root = JSONObjectUtils.parse(new String(StateCodec.encode(sampleState()), StandardCharsets.UTF_8));
    assertEquals(StateCodec.FORMAT, root.get("format"));
    assertEquals(7L, ((Number) root.get("revision")).longValue());
    for (Map<String, Object> e : JSONObjectUtils.getJSONObjectArray(root, "keys")) {
      Map<String, Object> jwk = JSONObjectUtils.getJSONObject(e, "jwk");
      for (String member : io.kubeassume.keys.KeyPolicy.PRIVATE_MEMBERS) {
        assertFalse(jwk.containsKey(member), member);
      }
      assertEquals(e.get("kid"), jwk.get("kid"));
    }
    assertEquals(T1.toString(), JSONObjectUtils.getJSONObjectArray(root, "keys")[0].get("retiredAt"));
    assertNull(JSONObjectUtils.getJSONObjectArray(root, "keys")[1].get("retiredAt"));
  }

  @Test
  void mergeOutcomeSurvivesARestart() throws Exception {
    KeyMerger merger = new KeyMerger(java.time.Duration.ofHours(1), 10);
    SigningKey a = key("a");
    SigningKey b = key("b");
    MergeState s = merger.merge(MergeState.EMPTY, List.of(a, b), T0).state();
    s = merger.merge(s, List.of(b), T0.plusSeconds(60)).state();
    MergeState restored = StateCodec.decode("state.json", StateCodec.encode(s));
    MergeOutcome again = merger.merge(restored, List.of(b), T0.plusSeconds(120));
    assertFalse(again.stateChanged());
    assertEquals(s.revision(), again.state().revision());
  }

  @Test
  void decodeSortsKeysIntoServingOrder() throws Exception {
    Map<String, Object> late = new HashMap<>(key("late").toJsonMap());
    Map<String, Object> early = new HashMap<>(key("early").toJsonMap());
    MergeState s = StateCodec.decode("s", bytes(state(
        entry("late", "2026-01-02T00:00:00Z", late), entry("early", "2026-01-01T00:00:00Z", early))));
    assertEquals(List.of("early", "late"), s.keys().stream().map(KeyRecord::kid).toList());
  }

  @Test
  void wrongFormatIsRejected() {
    InvalidKeyException e = rejected("{\"format\":\"something/else\",\"revision\":1,\"keys\":[]}");
    assertTrue(e.getMessage().contains("kubeassume/state/v1"), e.getMessage());
    assertEquals("state.json", e.origin());
    rejected("{\"revision\":1,\"keys\":[]}");
  }

  @Test
  void invalidJsonIsRejected() {
    rejected("{\"format\":");
    rejected("not json at all");
    rejected("[]");
    rejected("");
  }

  @Test
  void missingOrInvalidFieldsAreRejected() {
    rejected("{\"format\":\"kubeassume/state/v1\",\"keys\":[]}");
    rejected("{\"format\":\"kubeassume/state/v1\",\"revision\":1}");
    rejected("{\"format\":\"kubeassume/state/v1\",\"revision\":-1,\"keys\":[]}");
    rejected("{\"format\":\"kubeassume/state/v1\",\"revision\":\"x\",\"keys\":[]}");
    Map<String, Object> jwk = new HashMap<>(key("a").toJsonMap());
    rejected(state(entry("a", null, jwk)));
    rejected(state(entry("a", "yesterday", jwk)));
    rejected(state("{\"kid\":\"a\",\"firstSeen\":\"2026-01-01T00:00:00Z\"}"));
    rejected(state("{\"kid\":\"a\",\"firstSeen\":\"2026-01-01T00:00:00Z\",\"retiredAt\":\"soon\",\"jwk\":"
        + JSONObjectUtils.toJSONString(jwk) + "}"));
  }

  @Test
  void privateMemberInsideTheStateIsRejected() throws Exception {
    Map<String, Object> privateJwk = new HashMap<>(new ECKeyGenerator(Curve.P_256).keyID("a").generate().toJSONObject());
    InvalidKeyException e = rejected(state(entry("a", "2026-01-01T00:00:00Z", privateJwk)));
    assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains("private"), e.getMessage());
  }

  @Test
  void weakKeyInsideTheStateIsRejected() throws Exception {
    Map<String, Object> weak = new HashMap<>(new RSAKeyGenerator(1024, true).keyID("w").generate().toPublicJWK().toJSONObject());
    InvalidKeyException e = rejected(state(entry("w", "2026-01-01T00:00:00Z", weak)));
    assertTrue(e.getMessage().contains("too weak"), e.getMessage());
  }

  @Test
  void duplicateKidsAreRejected() {
    Map<String, Object> one = new HashMap<>(key("a").toJsonMap());
    Map<String, Object> two = new HashMap<>(key("a").toJsonMap());
    InvalidKeyException e = rejected(state(entry("a", "2026-01-01T00:00:00Z", one), entry("a", "2026-01-03T00:00:00Z", two)));
    assertTrue(e.getMessage().contains("kid a appears twice"), e.getMessage());
    List<String> same = new ArrayList<>(List.of(entry("a", "2026-01-01T00:00:00Z", one), entry("a", "2026-01-01T00:00:00Z", one)));
    rejected(state(same.toArray(String[]::new)));
  }
}
