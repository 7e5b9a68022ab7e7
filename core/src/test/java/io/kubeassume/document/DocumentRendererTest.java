package io.kubeassume.document;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.KeyRecord;
import io.kubeassume.merge.MergeState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DocumentRendererTest {
  private static final IssuerUrl ISSUER = IssuerUrl.parse("https://oidc.example.com");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static SigningKey rsa;
  private static SigningKey ec;
  private static SigningKey ec2;

  @BeforeAll
  static void keys() throws Exception {
    rsa = KeyParser.parseJwk("rsa", new HashMap<>(new RSAKeyGenerator(2048).keyID("r").generate().toPublicJWK().toJSONObject()));
    ec = KeyParser.parseJwk("ec", new HashMap<>(new ECKeyGenerator(Curve.P_256).keyID("e").generate().toPublicJWK().toJSONObject()));
    ec2 = KeyParser.parseJwk("ec2", new HashMap<>(new ECKeyGenerator(Curve.P_256).keyID("f").generate().toPublicJWK().toJSONObject()));
  }

  @Test
  void discoveryDocumentIsByteExactWithSortedDistinctAlgs() {
    Document discovery = DocumentRenderer.discovery(ISSUER, List.of(rsa, ec, ec2));
    String expected = "{\"issuer\":\"https://oidc.example.com\",\"jwks_uri\":\"https://oidc.example.com/openid/v1/jwks\","
        + "\"response_types_supported\":[\"id_token\"],\"subject_types_supported\":[\"public\"],"
        + "\"id_token_signing_alg_values_supported\":[\"ES256\",\"RS256\"]}";
    assertEquals(expected, discovery.asString());
    assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), discovery.bytes());
    assertEquals(Document.DISCOVERY_CONTENT_TYPE, discovery.contentType());
    assertEquals("application/json", discovery.contentType());
    assertEquals(expected.length(), discovery.size());
  }

  @Test
  void discoveryKeepsTheIssuerExactlyAsConfigured() throws Exception {
    IssuerUrl slash = IssuerUrl.parse("https://oidc.example.com/clusters/a/");
    Map<String, Object> doc = JSONObjectUtils.parse(DocumentRenderer.discovery(slash, List.of(ec)).asString());
    assertEquals("https://oidc.example.com/clusters/a/", doc.get("issuer"));
    assertEquals("https://oidc.example.com/clusters/a/openid/v1/jwks", doc.get("jwks_uri"));
    assertEquals(List.of("ES256"), doc.get("id_token_signing_alg_values_supported"));
  }

  @Test
  void discoveryWithoutKeysListsNoAlgs() {
    assertTrue(DocumentRenderer.discovery(ISSUER, List.of()).asString()
        .endsWith("\"id_token_signing_alg_values_supported\":[]}"));
  }

  @Test
  void jwksIsAKeysArrayInServedOrder() throws Exception {
    Document jwks = DocumentRenderer.jwks(List.of(ec, rsa));
    assertEquals(Document.JWKS_CONTENT_TYPE, jwks.contentType());
    assertEquals("application/jwk-set+json", jwks.contentType());
    Map<String, Object> doc = JSONObjectUtils.parse(jwks.asString());
    assertEquals(List.of("keys"), List.copyOf(doc.keySet()));
    Map<String, Object>[] keys = JSONObjectUtils.getJSONObjectArray(doc, "keys");
    assertEquals(2, keys.length);
    assertEquals("e", keys[0].get("kid"));
    assertEquals("r", keys[1].get("kid"));
    assertTrue(jwks.asString().startsWith("{\"keys\":[{\"use\":\"sig\",\"kty\":\"EC\",\"kid\":\"e\",\"crv\":\"P-256\",\"alg\":\"ES256\",\"x\":\""),
        jwks.asString());
    assertTrue(jwks.asString().contains("{\"use\":\"sig\",\"kty\":\"RSA\",\"kid\":\"r\",\"alg\":\"RS256\",\"n\":\""), jwks.asString());
    assertEquals(ec.toJsonMap(), keys[0]);
    assertEquals(rsa.toJsonMap(), keys[1]);
  }

  @Test
  void jwksOfNoKeysIsAnEmptyArray() {
    assertEquals("{\"keys\":[]}", DocumentRenderer.jwks(List.of()).asString());
  }

  @Test
  void jwksParsesBackToTheSameKeys() throws Exception {
    List<SigningKey> parsed = KeyParser.parse("served", DocumentRenderer.jwks(List.of(rsa, ec)).bytes());
    assertEquals(2, parsed.size());
    assertTrue(parsed.get(0).sameAs(rsa));
    assertTrue(parsed.get(1).sameAs(ec));
  }

  @Test
  void etagIsQuotedAndStableForTheSameBytes() {
    Document one = DocumentRenderer.jwks(List.of(rsa, ec));
    Document two = DocumentRenderer.jwks(List.of(rsa, ec));
    assertTrue(one.etag().matches("\"[A-Za-z0-9_-]{22}\""), one.etag());
    assertEquals(one.etag(), two.etag());
    assertTrue(one.sameContentAs(two));
  }

  @Test
  void etagIsTheFirst128BitsOfTheSha256OfTheBody() throws Exception {
    Document doc = DocumentRenderer.discovery(ISSUER, List.of(rsa));
    byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(doc.bytes());
    String expected = "\"" + java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString(java.util.Arrays.copyOf(digest, 16)) + "\"";
    assertEquals(expected, doc.etag());
  }

  @Test
  void etagDiffersForDifferentBytes() {
    Document one = DocumentRenderer.jwks(List.of(rsa, ec));
    Document reordered = DocumentRenderer.jwks(List.of(ec, rsa));
    Document fewer = DocumentRenderer.jwks(List.of(rsa));
    assertNotEquals(one.etag(), reordered.etag());
    assertNotEquals(one.etag(), fewer.etag());
    assertFalse(one.sameContentAs(reordered));
  }

  @Test
  void mutatingReturnedBytesDoesNotChangeTheDocument() {
    Document doc = DocumentRenderer.jwks(List.of(ec));
    String body = doc.asString();
    String etag = doc.etag();
    byte[] bytes = doc.bytes();
    bytes[0] = 'X';
    java.util.Arrays.fill(bytes, 1, bytes.length, (byte) 0);
    assertEquals(body, doc.asString());
    assertEquals(etag, doc.etag());
    assertEquals('{', doc.bytes()[0]);
    assertEquals(body, DocumentRenderer.jwks(List.of(ec)).asString());
    assertEquals(etag, DocumentRenderer.jwks(List.of(ec)).etag());
  }

  @Test
  void snapshotCarriesRevisionIssuerDocumentsAndServedKids() throws Exception {
    KeyMerger merger = new KeyMerger(Duration.ofHours(1), 10);
    MergeState s = merger.merge(MergeState.EMPTY, List.of(rsa), T0).state();
    s = merger.merge(s, List.of(rsa, ec), T0.plusSeconds(1)).state();
    s = merger.merge(s, List.of(ec), T0.plusSeconds(2)).state();  // rsa retired but still served
    Snapshot snap = DocumentRenderer.render(ISSUER, s);
    assertEquals(2, snap.revision());
    assertEquals(ISSUER, snap.issuer());
    assertEquals(List.of("r", "e"), snap.kids());
    assertEquals(2, snap.keyCount());
    assertEquals(DocumentRenderer.jwks(List.of(rsa, ec)).asString(), snap.jwks().asString());
    assertEquals(DocumentRenderer.discovery(ISSUER, List.of(rsa, ec)).asString(), snap.discovery().asString());
    assertThrows(UnsupportedOperationException.class, () -> snap.kids().add("x"));
    assertEquals(T0.plusSeconds(2), snap.oldestRetirement(), "rsa left the source at T0+2s");
  }

  @Test
  void snapshotNamesTheOldestRetirementSoTheNextRemovalIsKnown() throws Exception {
    KeyMerger merger = new KeyMerger(Duration.ofHours(1), 10);
    MergeState s = merger.merge(MergeState.EMPTY, List.of(rsa, ec, ec2), T0).state();
    assertEquals(null, DocumentRenderer.render(ISSUER, s).oldestRetirement(), "no retired key");
    s = merger.merge(s, List.of(ec, ec2), T0.plusSeconds(10)).state();
    s = merger.merge(s, List.of(ec2), T0.plusSeconds(20)).state();
    assertEquals(T0.plusSeconds(10), DocumentRenderer.render(ISSUER, s).oldestRetirement());
    assertEquals(s.nextExpiry(Duration.ofHours(1)).orElseThrow(), T0.plusSeconds(10).plus(Duration.ofHours(1)));
    s = merger.merge(s, List.of(ec2), T0.plusSeconds(10).plus(Duration.ofHours(1))).state();  // rsa's window ends
    assertEquals(T0.plusSeconds(20), DocumentRenderer.render(ISSUER, s).oldestRetirement());
  }

  @Test
  void snapshotRequiresItsParts() {
    Document d = DocumentRenderer.jwks(List.of());
    assertThrows(NullPointerException.class, () -> new Snapshot(1, null, d, d, List.of()));
    assertThrows(NullPointerException.class, () -> new Snapshot(1, ISSUER, null, d, List.of()));
    assertThrows(NullPointerException.class, () -> new Snapshot(1, ISSUER, d, null, List.of()));
  }

  @Test
  void snapshotCopiesTheKeyList() {
    Document d = DocumentRenderer.jwks(List.of());
    KeyRecord a = new KeyRecord(rsa, T0, null);
    List<KeyRecord> keys = new java.util.ArrayList<>(List.of(a));
    Snapshot snap = new Snapshot(1, ISSUER, d, d, keys);
    keys.add(new KeyRecord(ec, T0, null));
    assertEquals(List.of("r"), snap.kids());
    assertEquals(List.of(a), snap.keys());
  }

  @Test
  void renderingAnEmptyStateGivesRevisionZeroAndNoKeys() {
    Snapshot snap = DocumentRenderer.render(ISSUER, MergeState.EMPTY);
    assertEquals(0, snap.revision());
    assertEquals(0, snap.keyCount());
    assertEquals("{\"keys\":[]}", snap.jwks().asString());
  }
}
