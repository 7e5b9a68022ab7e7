package io.kubeassume.merge;

import static io.kubeassume.merge.TestKeys.copyOf;
import static io.kubeassume.merge.TestKeys.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.keys.SigningKey;
import io.kubeassume.merge.RotationEvent.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeyMergerTest {
  private static final Duration OVERLAP = Duration.ofHours(24);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant T1 = T0.plus(Duration.ofHours(1));
  private static final Instant T2 = T0.plus(Duration.ofHours(2));

  private final KeyMerger merger = new KeyMerger(OVERLAP, 10);

  private static List<String> kids(MergeState state) {
    return state.keys().stream().map(KeyRecord::kid).toList();
  }

  private static List<RotationEvent> events(Object... typeThenKid) {
    List<RotationEvent> out = new java.util.ArrayList<>();
    for (int i = 0; i < typeThenKid.length; i += 2) {
      out.add(new RotationEvent((Type) typeThenKid[i], (String) typeThenKid[i + 1]));
    }
    return out;
  }

  private static KeyRecord record(MergeState state, String kid) {
    return state.keys().stream().filter(r -> r.kid().equals(kid)).findFirst().orElseThrow();
  }

  // ---------------------------------------------------------------- construction

  @Test
  void overlapMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new KeyMerger(Duration.ZERO, 10));
    assertThrows(IllegalArgumentException.class, () -> new KeyMerger(Duration.ofSeconds(-1), 10));
    assertEquals(OVERLAP, merger.overlap());
  }

  @Test
  void maxKeysMustBeAtLeastOne() {
    assertThrows(IllegalArgumentException.class, () -> new KeyMerger(OVERLAP, 0));
    new KeyMerger(OVERLAP, 1);
  }

  // ---------------------------------------------------------------- first merge and no-op

  @Test
  void firstMergeCreatesRevisionOneWithNewKeyEvents() throws Exception {
    SigningKey a = key("a");
    SigningKey b = key("b");
    MergeOutcome out = merger.merge(MergeState.EMPTY, List.of(a, b), T0);
    assertEquals(1, out.state().revision());
    assertEquals(List.of("a", "b"), kids(out.state()));
    assertEquals(events(Type.NEW_KEY, "a", Type.NEW_KEY, "b"), out.events());
    assertTrue(out.documentsChanged());
    assertTrue(out.stateChanged());
    for (KeyRecord r : out.state().keys()) {
      assertEquals(T0, r.firstSeen());
      assertFalse(r.isRetired());
      assertNull(r.retiredAt());
    }
    assertEquals(2, out.state().currentKeyCount());
    assertEquals(List.of(a, b), out.state().servedKeys());
  }

  @Test
  void mergingTheSameKeysAgainChangesNothing() throws Exception {
    SigningKey a = key("a");
    MergeState first = merger.merge(MergeState.EMPTY, List.of(a), T0).state();
    MergeOutcome again = merger.merge(first, List.of(copyOf(a, "elsewhere.pem")), T2);
    assertFalse(again.documentsChanged());
    assertFalse(again.stateChanged());
    assertTrue(again.events().isEmpty());
    assertEquals(1, again.state().revision());
    assertEquals(T0, record(again.state(), "a").firstSeen());
    assertTrue(again.state().sameAs(first));
  }

  @Test
  void mergingNothingIntoEmptyStateChangesNothing() throws Exception {
    MergeOutcome out = merger.merge(MergeState.EMPTY, List.of(), T0);
    assertFalse(out.documentsChanged());
    assertFalse(out.stateChanged());
    assertEquals(0, out.state().revision());
    assertTrue(out.state().keys().isEmpty());
  }

  @Test
  void sourceOrderDoesNotChangeTheDocuments() throws Exception {
    SigningKey a = key("a");
    SigningKey b = key("b");
    MergeState first = merger.merge(MergeState.EMPTY, List.of(a, b), T0).state();
    MergeOutcome reordered = merger.merge(first, List.of(b, a), T1);
    assertFalse(reordered.documentsChanged());
    assertFalse(reordered.stateChanged());
    assertEquals(List.of("a", "b"), kids(reordered.state()));
  }

  // ---------------------------------------------------------------- retirement and expiry

  @Test
  void keyLeavingTheSourceIsRetiredButStillServed() throws Exception {
    SigningKey a = key("a");
    SigningKey b = key("b");
    MergeState first = merger.merge(MergeState.EMPTY, List.of(a, b), T0).state();
    MergeOutcome out = merger.merge(first, List.of(b), T1);
    assertEquals(events(Type.KEY_RETIRED, "a"), out.events());
    assertFalse(out.documentsChanged());
    assertTrue(out.stateChanged());
    assertEquals(1, out.state().revision());
    assertEquals(List.of("a", "b"), kids(out.state()));
    KeyRecord retired = record(out.state(), "a");
    assertTrue(retired.isRetired());
    assertEquals(T1, retired.retiredAt());
    assertEquals(T0, retired.firstSeen());
    assertEquals(1, out.state().currentKeyCount());
  }

  @Test
  void retiredKeyIsServedUntilJustBeforeTheOverlapEnds() throws Exception {
    SigningKey a = key("a");
    SigningKey b = key("b");
    MergeState retired = merger.merge(merger.merge(MergeState.EMPTY, List.of(a, b), T0).state(), List.of(b), T1).state();

    MergeOutcome later = merger.merge(retired, List.of(b), T1.plus(OVERLAP).minusNanos(1));
    assertTrue(later.events().isEmpty());
    assertFalse(later.documentsChanged());
    assertFalse(later.stateChanged());
    assertEquals(List.of("a", "b"), kids(later.state()));
    assertEquals(T1, record(later.state(), "a").retiredAt(), "retirement time must not move");
  }

  @Test
  void retiredKeyIsDroppedExactlyWhenTheOverlapEnds() throws Exception {
    SigningKey a = key("a");
    SigningKey b = key("b");
    MergeState retired = merger.merge(merger.merge(MergeState.EMPTY, List.of(a, b), T0).state(), List.of(b), T1).state();

    MergeOutcome expired = merger.merge(retired, List.of(b), T1.plus(OVERLAP));
    assertEquals(events(Type.KEY_EXPIRED, "a"), expired.events());
    assertTrue(expired.documentsChanged());
    assertTrue(expired.stateChanged());
    assertEquals(2, expired.state().revision());
    assertEquals(List.of("b"), kids(expired.state()));
  }

  @Test
  void keyFoundMissingAfterALongPauseIsStillServedForAFullOverlap() throws Exception {
    // A merge run that comes after a long pause still retires with "now", so the key is served a full overlap.
    SigningKey a = key("a");
    MergeState first = merger.merge(MergeState.EMPTY, List.of(a), T0).state();
    MergeOutcome out = merger.merge(first, List.of(), T0.plus(OVERLAP.multipliedBy(3)));
    assertEquals(events(Type.KEY_RETIRED, "a"), out.events());
    assertEquals(List.of("a"), kids(out.state()));
  }

  @Test
  void keyThatLeftTheSourceThenExpiresLeavesAnEmptyDocument() throws Exception {
    SigningKey a = key("a");
    MergeState first = merger.merge(MergeState.EMPTY, List.of(a), T0).state();
    MergeState retired = merger.merge(first, List.of(), T1).state();
    MergeOutcome out = merger.merge(retired, List.of(), T1.plus(OVERLAP));
    assertTrue(out.state().keys().isEmpty());
    assertEquals(2, out.state().revision());
    assertTrue(out.documentsChanged());
  }

  @Test
  void retiredKeyThatComesBackIsCurrentAgainKeepingItsFirstSeen() throws Exception {
    SigningKey a = key("a");
    SigningKey b = key("b");
    MergeState first = merger.merge(MergeState.EMPTY, List.of(a, b), T0).state();
    MergeState retired = merger.merge(first, List.of(b), T1).state();
    MergeOutcome back = merger.merge(retired, List.of(copyOf(a, "back.pem"), b), T2);
    assertEquals(events(Type.KEY_RETURNED, "a"), back.events());
    KeyRecord ra = record(back.state(), "a");
    assertFalse(ra.isRetired());
    assertEquals(T0, ra.firstSeen());
    assertFalse(back.documentsChanged());
    assertTrue(back.stateChanged());
    assertEquals(1, back.state().revision());
    assertEquals(2, back.state().currentKeyCount());
    assertEquals(Optional.empty(), back.state().nextExpiry(OVERLAP));
  }

  @Test
  void expiredKeyThatComesBackIsANewKey() throws Exception {
    SigningKey a = key("a");
    MergeState first = merger.merge(MergeState.EMPTY, List.of(a), T0).state();
    MergeState gone = merger.merge(merger.merge(first, List.of(), T1).state(), List.of(), T1.plus(OVERLAP)).state();
    Instant later = T1.plus(OVERLAP).plusSeconds(5);
    MergeOutcome back = merger.merge(gone, List.of(a), later);
    assertEquals(events(Type.NEW_KEY, "a"), back.events());
    assertEquals(later, record(back.state(), "a").firstSeen());
    assertEquals(3, back.state().revision());
  }

  // ---------------------------------------------------------------- conflicts

  @Test
  void kidReusedForDifferentMaterialThanACurrentKeyIsAConflict() throws Exception {
    MergeState first = merger.merge(MergeState.EMPTY, List.of(key("a"), key("b")), T0).state();
    List<KeyRecord> before = List.copyOf(first.keys());
    SigningKey impostor = key("a", "new.pem");
    KeyConflictException e = assertThrows(KeyConflictException.class, () -> merger.merge(first, List.of(impostor), T1));
    assertTrue(e.getMessage().contains("kid a"), e.getMessage());
    assertEquals("new.pem", e.origin());
    assertEquals(1, first.revision());
    assertEquals(before, first.keys());
    assertFalse(record(first, "a").isRetired());
  }

  @Test
  void kidReusedForDifferentMaterialThanARetiredKeyIsAConflict() throws Exception {
    SigningKey a = key("a");
    SigningKey b = key("b");
    MergeState retired = merger.merge(merger.merge(MergeState.EMPTY, List.of(a, b), T0).state(), List.of(b), T1).state();
    List<KeyRecord> before = List.copyOf(retired.keys());
    assertThrows(KeyConflictException.class, () -> merger.merge(retired, List.of(b, key("a")), T2));
    assertEquals(before, retired.keys());
    assertEquals(T1, record(retired, "a").retiredAt());
  }

  @Test
  void kidReusedAfterTheOldKeyExpiredIsAllowed() throws Exception {
    MergeState first = merger.merge(MergeState.EMPTY, List.of(key("a")), T0).state();
    MergeState gone = merger.merge(merger.merge(first, List.of(), T1).state(), List.of(), T1.plus(OVERLAP)).state();
    MergeOutcome out = merger.merge(gone, List.of(key("a")), T1.plus(OVERLAP));
    assertEquals(events(Type.NEW_KEY, "a"), out.events());
  }

  @Test
  void twoCurrentFilesWithTheSameKidAndDifferentKeysAreAConflict() {
    SigningKey one = key("a", "one.pem");
    SigningKey two = key("a", "two.pem");
    KeyConflictException e = assertThrows(KeyConflictException.class, () -> merger.merge(MergeState.EMPTY, List.of(one, two), T0));
    assertTrue(e.getMessage().contains("one.pem"), e.getMessage());
    assertEquals("two.pem", e.origin());
  }

  @Test
  void exactDuplicatesAreDeduplicated() throws Exception {
    SigningKey a = key("a", "one.pem");
    MergeOutcome out = merger.merge(MergeState.EMPTY, List.of(a, copyOf(a, "two.pem"), key("b"), copyOf(a, "three.pem")), T0);
    assertEquals(List.of("a", "b"), kids(out.state()));
    assertEquals(events(Type.NEW_KEY, "a", Type.NEW_KEY, "b"), out.events());
    assertEquals("one.pem", record(out.state(), "a").key().origin());
  }

  @Test
  void exactDuplicatesDoNotCountTowardsMaxKeys() throws Exception {
    KeyMerger one = new KeyMerger(OVERLAP, 1);
    SigningKey a = key("a");
    assertEquals(List.of("a"), kids(one.merge(MergeState.EMPTY, List.of(a, copyOf(a, "copy.pem")), T0).state()));
  }

  // ---------------------------------------------------------------- maxKeys

  @Test
  void moreCurrentKeysThanMaxKeysIsAConflictMentioningTheFlag() {
    KeyMerger two = new KeyMerger(OVERLAP, 2);
    KeyConflictException e = assertThrows(KeyConflictException.class,
        () -> two.merge(MergeState.EMPTY, List.of(key("a"), key("b"), key("c")), T0));
    assertTrue(e.getMessage().contains("--max-keys"), e.getMessage());
  }

  @Test
  void exactlyMaxKeysCurrentKeysIsAllowed() throws Exception {
    KeyMerger two = new KeyMerger(OVERLAP, 2);
    assertEquals(2, two.merge(MergeState.EMPTY, List.of(key("a"), key("b")), T0).state().keys().size());
  }

  @Test
  void overTheLimitTheOldestRetiredKeyIsEvictedFirst() throws Exception {
    KeyMerger three = new KeyMerger(OVERLAP, 3);
    SigningKey a = key("a");
    SigningKey b = key("b");
    SigningKey c = key("c");
    SigningKey d = key("d");
    MergeState s = three.merge(MergeState.EMPTY, List.of(a, b, c), T0).state();
    s = three.merge(s, List.of(b, c), T0.plusSeconds(10)).state();   // a retired at +10
    s = three.merge(s, List.of(c), T0.plusSeconds(20)).state();      // b retired at +20
    assertEquals(List.of("a", "b", "c"), kids(s));

    MergeOutcome out = three.merge(s, List.of(c, d), T0.plusSeconds(30));
    assertEquals(events(Type.NEW_KEY, "d", Type.KEY_EVICTED, "a"), out.events());
    assertEquals(List.of("b", "c", "d"), kids(out.state()));
    assertTrue(out.documentsChanged());
    assertEquals(s.revision() + 1, out.state().revision());
    assertEquals(T0.plusSeconds(20), record(out.state(), "b").retiredAt());
  }

  @Test
  void evictionNeverDropsACurrentKey() throws Exception {
    KeyMerger two = new KeyMerger(OVERLAP, 2);
    SigningKey a = key("a");
    SigningKey b = key("b");
    MergeState s = two.merge(MergeState.EMPTY, List.of(a, b), T0).state();
    MergeOutcome out = two.merge(s, List.of(key("c"), key("d")), T1);
    assertEquals(List.of("c", "d"), kids(out.state()));
    assertEquals(0, out.state().keys().stream().filter(KeyRecord::isRetired).count());
    assertTrue(out.events().containsAll(events(Type.KEY_RETIRED, "a", Type.KEY_EVICTED, "a",
        Type.KEY_RETIRED, "b", Type.KEY_EVICTED, "b", Type.NEW_KEY, "c", Type.NEW_KEY, "d")));
    assertEquals(6, out.events().size());
  }

  @Test
  void evictionTiesOnRetirementTimeAreBrokenByKid() throws Exception {
    KeyMerger two = new KeyMerger(OVERLAP, 2);
    MergeState s = two.merge(MergeState.EMPTY, List.of(key("y"), key("x")), T0).state();
    MergeOutcome out = two.merge(s, List.of(key("z")), T1);  // x and y retire together; one must go
    assertEquals(List.of("y", "z"), kids(out.state()));
    assertTrue(out.events().contains(new RotationEvent(Type.KEY_EVICTED, "x")));
  }

  // ---------------------------------------------------------------- order and expiry time

  @Test
  void servedOrderIsByFirstSeenThenKid() throws Exception {
    SigningKey z = key("z");
    SigningKey m = key("m");
    MergeState s = merger.merge(MergeState.EMPTY, List.of(z, m), T0).state();
    assertEquals(List.of("m", "z"), kids(s));
    s = merger.merge(s, List.of(key("b"), z, m, key("a")), T1).state();
    assertEquals(List.of("m", "z", "a", "b"), kids(s));
    s = merger.merge(s, List.of(z, record(s, "a").key(), record(s, "b").key()), T2).state();  // m retired
    assertEquals(List.of("m", "z", "a", "b"), kids(s), "retiring must not reorder");
  }

  @Test
  void nextExpiryIsTheEarliestRetirementPlusOverlap() throws Exception {
    SigningKey a = key("a");
    SigningKey b = key("b");
    SigningKey c = key("c");
    MergeState s = merger.merge(MergeState.EMPTY, List.of(a, b, c), T0).state();
    assertEquals(Optional.empty(), s.nextExpiry(OVERLAP));
    s = merger.merge(s, List.of(a, c), T2).state();  // b retires at T2
    s = merger.merge(s, List.of(c), T2.plusSeconds(60)).state();  // a retires later
    assertEquals(Optional.of(T2.plus(OVERLAP)), s.nextExpiry(OVERLAP));
    assertEquals(Optional.of(T2.plus(Duration.ofMinutes(5))), s.nextExpiry(Duration.ofMinutes(5)));
  }

  @Test
  void mergingAtNextExpiryDropsThatKey() throws Exception {
    MergeState s = merger.merge(MergeState.EMPTY, List.of(key("a"), key("b")), T0).state();
    s = merger.merge(s, List.of(record(s, "b").key()), T1).state();
    Instant expiry = s.nextExpiry(OVERLAP).orElseThrow();
    assertEquals(List.of("b"), kids(merger.merge(s, List.of(record(s, "b").key()), expiry).state()));
  }

  // ---------------------------------------------------------------- expiry without the source

  @Test
  void expireDropsARetiredKeyWhoseOverlapEndedWithoutTheSource() throws Exception {
    SigningKey a = key("a");
    SigningKey b = key("b");
    MergeState retired = merger.merge(merger.merge(MergeState.EMPTY, List.of(a, b), T0).state(), List.of(b), T1).state();

    MergeOutcome out = merger.expire(retired, T1.plus(OVERLAP));
    assertEquals(events(Type.KEY_EXPIRED, "a"), out.events());
    assertTrue(out.documentsChanged());
    assertTrue(out.stateChanged());
    assertEquals(2, out.state().revision());
    assertEquals(List.of("b"), kids(out.state()));
    assertEquals(T0, record(out.state(), "b").firstSeen(), "the current key keeps its history");
    assertFalse(record(out.state(), "b").isRetired());
    assertEquals(Optional.empty(), out.state().nextExpiry(OVERLAP));
  }

  @Test
  void expireIsTheMergeOfTheStatesOwnCurrentKeys() throws Exception {
    SigningKey a = key("a");
    SigningKey b = key("b");
    SigningKey c = key("c");
    MergeState s = merger.merge(MergeState.EMPTY, List.of(a, b, c), T0).state();
    s = merger.merge(s, List.of(b, c), T1).state();  // a retires at T1
    s = merger.merge(s, List.of(c), T2).state();  // b retires at T2
    for (Instant at : List.of(T2, T1.plus(OVERLAP).minusNanos(1), T1.plus(OVERLAP), T2.plus(OVERLAP), T2.plus(OVERLAP.multipliedBy(5)))) {
      MergeOutcome viaSource = merger.merge(s, List.of(c), at);
      MergeOutcome expired = merger.expire(s, at);
      assertTrue(viaSource.state().sameAs(expired.state()), "at " + at);
      assertEquals(viaSource.events(), expired.events(), "at " + at);
      assertEquals(viaSource.documentsChanged(), expired.documentsChanged(), "at " + at);
      assertEquals(viaSource.stateChanged(), expired.stateChanged(), "at " + at);
    }
  }

  @Test
  void expireInsideTheWindowChangesNothing() throws Exception {
    SigningKey a = key("a");
    SigningKey b = key("b");
    MergeState retired = merger.merge(merger.merge(MergeState.EMPTY, List.of(a, b), T0).state(), List.of(b), T1).state();

    MergeOutcome out = merger.expire(retired, T1.plus(OVERLAP).minusNanos(1));
    assertTrue(out.events().isEmpty());
    assertFalse(out.documentsChanged());
    assertFalse(out.stateChanged());
    assertTrue(out.state().sameAs(retired));
    assertEquals(T1, record(out.state(), "a").retiredAt(), "retirement time must not move");
  }

  @Test
  void expireNeverRetiresOrDropsACurrentKeyHoweverOld() throws Exception {
    MergeState s = merger.merge(MergeState.EMPTY, List.of(key("a"), key("b")), T0).state();
    MergeOutcome out = merger.expire(s, T0.plus(OVERLAP.multipliedBy(100)));
    assertFalse(out.stateChanged());
    assertTrue(out.events().isEmpty());
    assertEquals(List.of("a", "b"), kids(out.state()));
    assertEquals(2, out.state().currentKeyCount());
  }

  @Test
  void expireOfTheEmptyStateChangesNothing() {
    MergeOutcome out = merger.expire(MergeState.EMPTY, T0);
    assertFalse(out.stateChanged());
    assertFalse(out.documentsChanged());
    assertEquals(0, out.state().revision());
    assertTrue(out.state().keys().isEmpty());
  }

  @Test
  void expireDoesNotFailOnAStateWithMoreCurrentKeysThanMaxKeys() throws Exception {
    // Written under a larger --max-keys: a read would fail on the bound, but an expiry adds nothing, so it still applies.
    MergeState s = new KeyMerger(OVERLAP, 3).merge(MergeState.EMPTY, List.of(key("a"), key("b"), key("c")), T0).state();
    s = new KeyMerger(OVERLAP, 3).merge(s, List.of(record(s, "a").key(), record(s, "b").key()), T1).state();  // c retires
    MergeOutcome out = new KeyMerger(OVERLAP, 1).expire(s, T1.plus(OVERLAP));
    assertEquals(List.of("a", "b"), kids(out.state()));
    assertEquals(events(Type.KEY_EXPIRED, "c"), out.events());
  }

  // ---------------------------------------------------------------- a full rotation

  @Test
  void rotationFromAToBKeepsTokensVerifiableThroughout() throws Exception {
    SigningKey a = key("a");
    SigningKey b = key("b");

    MergeOutcome step1 = merger.merge(MergeState.EMPTY, List.of(a), T0);
    assertEquals(List.of("a"), kids(step1.state()));
    assertEquals(1, step1.state().revision());

    MergeOutcome step2 = merger.merge(step1.state(), List.of(a, b), T1);
    assertEquals(events(Type.NEW_KEY, "b"), step2.events());
    assertEquals(List.of("a", "b"), kids(step2.state()));
    assertEquals(2, step2.state().revision());
    assertTrue(step2.documentsChanged());

    Instant retire = T2;
    MergeOutcome step3 = merger.merge(step2.state(), List.of(b), retire);
    assertEquals(events(Type.KEY_RETIRED, "a"), step3.events());
    assertEquals(List.of("a", "b"), kids(step3.state()));
    assertEquals(2, step3.state().revision());
    assertFalse(step3.documentsChanged());
    assertTrue(step3.stateChanged());
    assertEquals(Optional.of(retire.plus(OVERLAP)), step3.state().nextExpiry(OVERLAP));

    MergeOutcome step4 = merger.merge(step3.state(), List.of(b), retire.plus(OVERLAP));
    assertEquals(events(Type.KEY_EXPIRED, "a"), step4.events());
    assertEquals(List.of("b"), kids(step4.state()));
    assertEquals(3, step4.state().revision());
    assertEquals(T1, record(step4.state(), "b").firstSeen());

    MergeOutcome step5 = merger.merge(step4.state(), List.of(b), retire.plus(OVERLAP.multipliedBy(2)));
    assertFalse(step5.stateChanged());
    assertTrue(step5.events().isEmpty());
    assertEquals(3, step5.state().revision());
  }

  // ---------------------------------------------------------------- alg change on the same material

  @Test
  void sameMaterialAndKidWithAnotherAlgIsNotAConflictButChangesTheDocuments() throws Exception {
    java.util.Map<String, Object> json = new java.util.HashMap<>(
        new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("r").generate().toPublicJWK().toJSONObject());
    json.put("alg", "RS256");
    SigningKey rs = io.kubeassume.keys.KeyParser.parseJwk("r.json", json);
    json.put("alg", "PS256");
    SigningKey ps = io.kubeassume.keys.KeyParser.parseJwk("r.json", json);
    MergeState s = merger.merge(MergeState.EMPTY, List.of(rs), T0).state();
    MergeOutcome out = merger.merge(s, List.of(ps), T1);
    assertTrue(out.documentsChanged());
    assertEquals(2, out.state().revision());
    assertEquals("PS256", out.state().servedKeys().get(0).alg());
    assertEquals(T0, record(out.state(), "r").firstSeen());
  }
}
