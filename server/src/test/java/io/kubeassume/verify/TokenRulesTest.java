package io.kubeassume.verify;

import static io.kubeassume.verify.RulesTest.ISSUER;
import static io.kubeassume.verify.RulesTest.NOW;
import static io.kubeassume.verify.RulesTest.assertFail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Token rules: signature against the JWKS, iss, aud per cloud, times, lifetime, sub. */
class TokenRulesTest {
  static RSAKey key;
  static List<Map<String, Object>> jwks;

  @BeforeAll
  static void keys() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("k1").generate();
    jwks = List.of(new HashMap<>(key.toPublicJWK().toJSONObject()));
  }

  static Map<String, Object> claims() {
    Map<String, Object> c = new HashMap<>();
    c.put("iss", ISSUER);
    c.put("sub", "system:serviceaccount:team-a:app");
    c.put("aud", List.of("sts.amazonaws.com"));
    c.put("iat", NOW.getEpochSecond() - 10);
    c.put("nbf", NOW.getEpochSecond() - 10);
    c.put("exp", NOW.getEpochSecond() + 3600);
    return c;
  }

  static String sign(RSAKey k, Map<String, Object> claims) throws Exception {
    JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(k.getKeyID()).build(),
        new Payload(JSONObjectUtils.toJSONString(claims)));
    jws.sign(new RSASSASigner(k));
    return jws.serialize();
  }

  static SignedJWT jwt(String token) throws Exception {
    return SignedJWT.parse(token);
  }

  @Test
  void aGoodTokenPassesForAws() throws Exception {
    Evidence e = new Evidence(ISSUER, java.util.EnumSet.of(Cloud.AWS), NOW, null, null, null, null, sign(key, claims()), null);
    List<CheckResult> r = TokenRules.check(e);
    // No JWKS in this evidence: the kid cannot be looked up, everything else passes.
    assertEquals(List.of("token.kid"), r.stream().filter(c -> c.status() != Status.PASS).map(CheckResult::label).toList());
  }

  @Test
  void signatureAndKid() throws Exception {
    List<CheckResult> ok = TokenRules.keyAndSignature(jwt(sign(key, claims())), jwks);
    assertEquals(List.of(Status.PASS, Status.PASS), ok.stream().map(CheckResult::status).toList());
    RSAKey impostor = new RSAKeyGenerator(2048).keyID("k1").generate();
    assertFail(TokenRules.keyAndSignature(jwt(sign(impostor, claims())), jwks).get(1), "does not verify", "--service-account-signing-key-file");
    RSAKey unknown = new RSAKeyGenerator(2048).keyID("k2").generate();
    assertFail(TokenRules.keyAndSignature(jwt(sign(unknown, claims())), jwks).get(0), "kid k2 is not in the JWKS", "--keys");
  }

  @Test
  void ecTokensVerifyToo() throws Exception {
    ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("e1").generate();
    JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("e1").build(),
        new Payload(JSONObjectUtils.toJSONString(claims())));
    jws.sign(new ECDSASigner(ec));
    SignedJWT t = jwt(jws.serialize());
    assertEquals(Status.PASS, TokenRules.keyAndSignature(t, List.of(new HashMap<>(ec.toPublicJWK().toJSONObject()))).get(1).status());
    assertEquals(Status.PASS, TokenRules.algorithm(t, Cloud.GCP).status());
    assertFail(TokenRules.algorithm(t, Cloud.AZURE), "not accepted by azure", "RS256 only");
  }

  @Test
  void issuerMustMatch() {
    Map<String, Object> c = claims();
    assertEquals(Status.PASS, TokenRules.issuer(ISSUER, c).status());
    c.put("iss", ISSUER + "/");
    assertFail(TokenRules.issuer(ISSUER, c), "only by a trailing slash", "old iss");
    c.remove("iss");
    assertFail(TokenRules.issuer(ISSUER, c), "no iss", "byte for byte");
  }

  @Test
  void audiencePerCloud() {
    Map<String, Object> c = claims();
    assertEquals(Status.PASS, TokenRules.audience(c, Cloud.AWS, null).status());
    assertFail(TokenRules.audience(c, Cloud.AZURE, null), "azure expects api://AzureADTokenExchange", "--audience api://AzureADTokenExchange");
    assertEquals(Status.WARN, TokenRules.audience(c, Cloud.GCP, null).status());
    assertNull(TokenRules.audience(c, Cloud.OCI, null), "OCI has no default audience: nothing to check");
    assertFail(TokenRules.audience(c, Cloud.OCI, "oci-client"), "oci expects oci-client", "oci-client");
    // The provider's full name, with or without the https: prefix.
    c.put("aud", "https://iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/p/providers/q");
    assertEquals(Status.PASS, TokenRules.audience(c, Cloud.GCP, null).status());
    c.put("aud", List.of("x", "//iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/p/providers/q"));
    assertEquals(Status.PASS, TokenRules.audience(c, Cloud.GCP, null).status());
    c.put("aud", "//iam.googleapis.com/projects/my-project/locations/global/workloadIdentityPools/p/providers/q");
    assertEquals(Status.WARN, TokenRules.audience(c, Cloud.GCP, null).status(), "the project must be its number");
  }

  @Test
  void times() {
    Map<String, Object> c = claims();
    assertEquals(Status.PASS, TokenRules.expiry(c, NOW).status());
    assertEquals(Status.PASS, TokenRules.issuedAt(c, NOW).status());
    c.put("exp", NOW.getEpochSecond() - 30);
    assertFail(TokenRules.expiry(c, NOW), "30 s ago", "fresh token");
    c.put("exp", NOW.getEpochSecond() + 0.5);
    assertFail(TokenRules.expiry(c, NOW), "not a whole number", "fresh token");
    c.remove("exp");
    assertFail(TokenRules.expiry(c, NOW), "no numeric exp", "fresh token");
    c.put("iat", NOW.getEpochSecond() + 3600);
    assertFail(TokenRules.issuedAt(c, NOW), "issued in the future", "NTP");
    c.put("iat", NOW.getEpochSecond() + 30);
    assertEquals(Status.PASS, TokenRules.issuedAt(c, NOW).status(), "within the clock skew");
  }

  @Test
  void gcpLifetimeCatchesYearLongTokens() {
    Map<String, Object> c = claims();
    assertEquals(Status.PASS, TokenRules.gcpLifetime(c).status());
    c.put("exp", NOW.getEpochSecond() + 365L * 86400);
    assertFail(TokenRules.gcpLifetime(c), "longer than 24 h", "3607");
  }

  @Test
  void subjectFormatAndGcpLength() {
    Map<String, Object> c = claims();
    assertEquals(Status.PASS, TokenRules.subject(c).status());
    c.put("sub", "system:serviceaccount:Team_A:app");
    assertFail(TokenRules.subject(c), "is not system:serviceaccount:NAMESPACE:NAME", "service-account token");
    c.put("sub", "system:serviceaccount:" + "n".repeat(63) + ":" + "s".repeat(60));
    assertEquals(Status.PASS, TokenRules.subject(c).status());
    CheckResult tooLong = TokenRules.gcpSubjectLength(c);
    assertEquals(Status.WARN, tooLong.status());
    assertTrue(tooLong.message().contains("146 bytes"), tooLong.message());
  }

  @Test
  void notAJwt() {
    Evidence e = new Evidence(ISSUER, Cloud.all(), NOW, null, null, null, null, "hello", null);
    assertFail(TokenRules.check(e).get(0), "not a signed JWT", "kubectl create token");
  }

  @Test
  void awsTokenSize() {
    assertEquals(Status.PASS, TokenRules.awsSize("a".repeat(20_000)).status());
    assertFail(TokenRules.awsSize("a".repeat(20_001)), "20001 characters", "small");
  }
}
