package io.kubeassume.keys;

import static io.kubeassume.keys.KeyParserTest.assertMentions;
import static io.kubeassume.keys.KeyParserTest.expectedKid;
import static io.kubeassume.keys.KeyParserTest.single;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JwkParsingTest {
  private static RSAKey rsaPrivate;
  private static ECKey ecPrivate;

  @BeforeAll
  static void generateKeys() throws Exception {
    rsaPrivate = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ecPrivate = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
  }

  private static Map<String, Object> publicJson(JWK key) {
    return new HashMap<>(key.toPublicJWK().toJSONObject());
  }

  private static List<SigningKey> parse(String json) throws InvalidKeyException {
    return KeyParser.parse("jwks.json", json.getBytes(StandardCharsets.UTF_8));
  }

  private static String jwks(Map<?, ?>... keys) {
    return JSONObjectUtils.toJSONString(Map.of("keys", List.of(keys)));
  }

  private static InvalidKeyException rejectedJwk(Map<String, Object> jwk) {
    return assertThrows(InvalidKeyException.class, () -> KeyParser.parseJwk("jwks.json", jwk));
  }

  // ---------------------------------------------------------------- accepted

  @Test
  void jwksDocumentParsesAllItsKeysInOrder() throws Exception {
    List<SigningKey> keys = parse(jwks(publicJson(rsaPrivate), publicJson(ecPrivate)));
    assertEquals(List.of("rsa-1", "ec-1"), keys.stream().map(SigningKey::kid).toList());
    assertEquals(List.of("RS256", "ES256"), keys.stream().map(SigningKey::alg).toList());
    assertEquals(rsaPrivate.computeThumbprint().toString(), keys.get(0).thumbprint());
    assertEquals(ecPrivate.computeThumbprint().toString(), keys.get(1).thumbprint());
    keys.forEach(k -> assertFalse(k.jwk().isPrivate()));
  }

  @Test
  void singleJwkParses() throws Exception {
    List<SigningKey> keys = parse(JSONObjectUtils.toJSONString(publicJson(ecPrivate)));
    assertEquals(1, keys.size());
    assertEquals("ec-1", keys.get(0).kid());
    assertEquals("ES256", keys.get(0).alg());
  }

  @Test
  void leadingWhitespaceBeforeJsonIsTolerated() throws Exception {
    assertEquals(1, parse("\n  " + JSONObjectUtils.toJSONString(publicJson(ecPrivate))).size());
  }

  @Test
  void rsaJwkWithoutKidGetsTheApiServerKidOfTheSamePem() throws Exception {
    SigningKey pem = single("rsa3072-spki.pem");
    Map<String, Object> json = new HashMap<>(pem.toJsonMap());
    json.remove("kid");
    SigningKey fromJwk = KeyParser.parseJwk("jwks.json", json);
    assertEquals(expectedKid("rsa3072-spki.kid"), fromJwk.kid());
    assertTrue(fromJwk.sameAs(pem));
  }

  @Test
  void ecJwkWithoutKidGetsTheApiServerKidOfTheSamePem() throws Exception {
    for (String fixture : List.of("ec256-spki", "ec384-spki", "ec521-spki")) {
      SigningKey pem = single(fixture + ".pem");
      Map<String, Object> json = new HashMap<>(pem.toJsonMap());
      json.remove("kid");
      json.remove("alg");
      json.remove("use");
      SigningKey fromJwk = KeyParser.parseJwk("jwks.json", json);
      assertEquals(expectedKid(fixture + ".kid"), fromJwk.kid(), fixture);
      assertEquals(pem.alg(), fromJwk.alg(), fixture);
      assertTrue(fromJwk.sameAs(pem), fixture);
    }
  }

  @Test
  void jwkKeepsAGivenKid() throws Exception {
    Map<String, Object> json = publicJson(rsaPrivate);
    json.put("kid", "my-own-kid");
    assertEquals("my-own-kid", KeyParser.parseJwk("jwks.json", json).kid());
  }

  @Test
  void rsaJwkWithoutAlgGetsRs256AndSigUse() throws Exception {
    Map<String, Object> json = publicJson(rsaPrivate);
    json.remove("alg");
    json.remove("use");
    SigningKey key = KeyParser.parseJwk("jwks.json", json);
    assertEquals("RS256", key.alg());
    assertEquals("sig", key.toJsonMap().get("use"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
  void rsaAlgorithmsAcceptedByCloudIamAreKept(String alg) throws Exception {
    Map<String, Object> json = publicJson(rsaPrivate);
    json.put("alg", alg);
    assertEquals(alg, KeyParser.parseJwk("jwks.json", json).alg());
  }

  @Test
  void explicitSigUseIsAccepted() throws Exception {
    Map<String, Object> json = publicJson(ecPrivate);
    json.put("use", "sig");
    assertEquals("sig", KeyParser.parseJwk("jwks.json", json).toJsonMap().get("use"));
  }

  // ---------------------------------------------------------------- rejected: private material

  @ParameterizedTest
  @ValueSource(strings = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
  void jwkWithAPrivateMemberIsRejectedNamingTheMember(String member) {
    Map<String, Object> json = publicJson(rsaPrivate);
    json.put(member, "AQAB");
    InvalidKeyException e = rejectedJwk(json);
    assertMentions(e, "private member \"" + member + "\"");
    assertMentions(e, "rsa-1");
  }

  @Test
  void fullPrivateRsaJwkIsRejected() {
    InvalidKeyException e = rejectedJwk(new HashMap<>(rsaPrivate.toJSONObject()));
    assertMentions(e, "private");
  }

  @Test
  void fullPrivateEcJwkIsRejected() {
    assertMentions(rejectedJwk(new HashMap<>(ecPrivate.toJSONObject())), "private member \"d\"");
  }

  @Test
  void jwksWithOnePrivateKeyAmongPublicOnesIsRejected() {
    InvalidKeyException e = assertThrows(InvalidKeyException.class,
        () -> parse(jwks(publicJson(ecPrivate), rsaPrivate.toJSONObject())));
    assertMentions(e, "private");
  }

  @Test
  void privateNimbusKeysGeneratedAndSerializedAreRejectedThroughTheFileParser() throws Exception {
    String rsa = JSONObjectUtils.toJSONString(new RSAKeyGenerator(2048).generate().toJSONObject());
    String ec = JSONObjectUtils.toJSONString(new ECKeyGenerator(Curve.P_384).generate().toJSONObject());
    assertMentions(assertThrows(InvalidKeyException.class, () -> parse(rsa)), "private");
    assertMentions(assertThrows(InvalidKeyException.class, () -> parse(ec)), "private");
  }

  // ---------------------------------------------------------------- rejected: kty, use, alg, curve

  @Test
  void octKeysAreRejected() throws Exception {
    Map<String, Object> oct = new HashMap<>(new OctetSequenceKeyGenerator(256).keyID("hmac").generate().toJSONObject());
    assertThrows(InvalidKeyException.class, () -> KeyParser.parseJwk("jwks.json", oct));
    Map<String, Object> octWithoutK = new HashMap<>(Map.of("kty", "oct", "kid", "x"));
    assertMentions(rejectedJwk(octWithoutK), "unsupported kty");
  }

  @Test
  void okpKeysAreRejected() throws Exception {
    // RFC 8037 appendix A.2 public key.
    Map<String, Object> okp = new HashMap<>(Map.of("kty", "OKP", "crv", "Ed25519", "kid", "ed",
        "x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"));
    assertMentions(rejectedJwk(okp), "unsupported kty");
  }

  @Test
  void jwkWithoutKtyIsRejected() {
    Map<String, Object> json = publicJson(rsaPrivate);
    json.remove("kty");
    rejectedJwk(json);
    assertThrows(InvalidKeyException.class, () -> parse(JSONObjectUtils.toJSONString(json)));
  }

  @Test
  void encryptionUseIsRejected() {
    Map<String, Object> json = publicJson(rsaPrivate);
    json.put("use", "enc");
    assertMentions(rejectedJwk(json), "\"enc\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"HS256", "none", "RS1", "RSA-OAEP", "EdDSA"})
  void algorithmsCloudIamDoesNotAcceptAreRejectedOnRsa(String alg) {
    Map<String, Object> json = publicJson(rsaPrivate);
    json.put("alg", alg);
    assertMentions(rejectedJwk(json), alg);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HS256", "none", "ES256K"})
  void algorithmsCloudIamDoesNotAcceptAreRejectedOnEc(String alg) {
    Map<String, Object> json = publicJson(ecPrivate);
    json.put("alg", alg);
    rejectedJwk(json);
  }

  @Test
  void es384OnAP256KeyIsRejected() {
    Map<String, Object> json = publicJson(ecPrivate);
    json.put("alg", "ES384");
    InvalidKeyException e = rejectedJwk(json);
    assertMentions(e, "ES384");
    assertMentions(e, "ES256");
  }

  @Test
  void rsaAlgOnAnEcKeyIsRejected() {
    Map<String, Object> json = publicJson(ecPrivate);
    json.put("alg", "RS256");
    rejectedJwk(json);
  }

  @Test
  void ecAlgOnAnRsaKeyIsRejected() {
    Map<String, Object> json = publicJson(rsaPrivate);
    json.put("alg", "ES256");
    rejectedJwk(json);
  }

  @Test
  void rsaJwkUnder2048BitsIsRejectedAsTooWeak() throws Exception {
    Map<String, Object> json = publicJson(new RSAKeyGenerator(1024, true).generate());
    assertMentions(rejectedJwk(json), "too weak");
  }

  @Test
  void ecPointNotOnTheCurveIsRejected() throws Exception {
    Map<String, Object> json = publicJson(ecPrivate);
    BigInteger y = ecPrivate.getY().decodeToBigInteger().add(BigInteger.ONE);
    json.put("y", Base64URL.encode(toFixedLength(y, 32)).toString());
    rejectedJwk(json);
  }

  @Test
  void secp256k1JwkIsRejected() throws Exception {
    ECKey k1;
    try {
      k1 = new ECKeyGenerator(Curve.SECP256K1).generate();
    } catch (Exception unsupportedByThisJdk) {
      // Build a syntactically valid secp256k1 JWK from the generator point instead.
      Map<String, Object> json = new HashMap<>(Map.of("kty", "EC", "crv", "secp256k1",
          "x", "eb5mfvncu6xVoGKVzocLBwKb_NstzijZWfKBWxb4F5g",
          "y", "SDradyajxGVdpPv8DhEIqP0XtEimhVQZnEfQj_sQ1Lg"));
      rejectedJwk(json);
      return;
    }
    rejectedJwk(publicJson(k1));
  }

  // ---------------------------------------------------------------- rejected: document shape

  @Test
  void emptyKeysArrayIsRejected() {
    assertMentions(assertThrows(InvalidKeyException.class, () -> parse("{\"keys\":[]}")), "no keys");
  }

  @Test
  void keysThatIsNotAnArrayIsRejected() {
    assertThrows(InvalidKeyException.class, () -> parse("{\"keys\":{}}"));
    assertThrows(InvalidKeyException.class, () -> parse("{\"keys\":\"abc\"}"));
  }

  @Test
  void keysEntryThatIsNotAnObjectIsRejected() {
    assertThrows(InvalidKeyException.class, () -> parse("{\"keys\":[1]}"));
  }

  @Test
  void invalidJsonIsRejected() {
    assertMentions(assertThrows(InvalidKeyException.class, () -> parse("{\"keys\": [")), "invalid JSON");
    assertThrows(InvalidKeyException.class, () -> parse("{not json}"));
  }

  @Test
  void jsonObjectThatIsNeitherJwksNorJwkIsRejected() {
    assertThrows(InvalidKeyException.class, () -> parse("{\"issuer\":\"https://example.com\"}"));
  }

  @Test
  void rsaJwkWithInvalidModulusEncodingIsRejected() {
    Map<String, Object> json = publicJson(rsaPrivate);
    json.put("n", 12345);
    rejectedJwk(json);
  }

  // ---------------------------------------------------------------- published JSON

  @Test
  void publishedRsaJsonHasExactlyThePublicMembersInApiServerOrder() throws Exception {
    SigningKey key = KeyParser.parseJwk("jwks.json", publicJson(rsaPrivate));
    Map<String, Object> json = key.toJsonMap();
    assertEquals(List.of("use", "kty", "kid", "alg", "n", "e"), List.copyOf(json.keySet()));
    assertEquals("sig", json.get("use"));
    assertEquals("RSA", json.get("kty"));
    assertEquals("rsa-1", json.get("kid"));
    assertEquals("RS256", json.get("alg"));
    assertEquals(rsaPrivate.getModulus().toString(), json.get("n"));
    assertEquals(rsaPrivate.getPublicExponent().toString(), json.get("e"));
  }

  @Test
  void publishedEcJsonHasExactlyThePublicMembersInApiServerOrder() throws Exception {
    SigningKey key = KeyParser.parseJwk("jwks.json", publicJson(ecPrivate));
    Map<String, Object> json = key.toJsonMap();
    assertEquals(List.of("use", "kty", "kid", "crv", "alg", "x", "y"), List.copyOf(json.keySet()));
    assertEquals("EC", json.get("kty"));
    assertEquals("P-256", json.get("crv"));
    assertEquals("ES256", json.get("alg"));
    assertEquals(ecPrivate.getX().toString(), json.get("x"));
    assertEquals(ecPrivate.getY().toString(), json.get("y"));
  }

  @Test
  void publishedJsonOfPemKeysHasTheSameShape() throws Exception {
    assertEquals(List.of("use", "kty", "kid", "alg", "n", "e"), List.copyOf(single("rsa3072-spki.pem").toJsonMap().keySet()));
    assertEquals(List.of("use", "kty", "kid", "crv", "alg", "x", "y"), List.copyOf(single("ec521-spki.pem").toJsonMap().keySet()));
  }

  @Test
  void extraMembersOfTheInputJwkAreNotPublished() throws Exception {
    Map<String, Object> json = publicJson(ecPrivate);
    json.put("key_ops", List.of("verify"));
    json.put("x-custom", "value");
    SigningKey key = KeyParser.parseJwk("jwks.json", json);
    assertEquals(List.of("use", "kty", "kid", "crv", "alg", "x", "y"), List.copyOf(key.toJsonMap().keySet()));
  }

  @Test
  void publishedJsonMapIsUnmodifiable() throws Exception {
    SigningKey key = KeyParser.parseJwk("jwks.json", publicJson(ecPrivate));
    assertThrows(UnsupportedOperationException.class, () -> key.toJsonMap().put("d", "secret"));
  }

  @Test
  void sameAsComparesKidAndAlgButNotOrigin() throws Exception {
    Map<String, Object> json = publicJson(rsaPrivate);
    SigningKey a = KeyParser.parseJwk("a.json", json);
    SigningKey b = KeyParser.parseJwk("b.json", json);
    assertTrue(a.sameAs(b));
    json.put("alg", "PS256");
    SigningKey ps = KeyParser.parseJwk("a.json", json);
    assertFalse(a.sameAs(ps));
    assertEquals(a.thumbprint(), ps.thumbprint());
    json.put("alg", "RS256");
    json.put("kid", "other");
    assertFalse(a.sameAs(KeyParser.parseJwk("a.json", json)));
  }

  private static byte[] toFixedLength(BigInteger value, int length) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
    return out;
  }
}
