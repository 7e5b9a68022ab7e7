package io.kubeassume.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each rule on its own, passing and failing, from documents given as data: no network. */
class RulesTest {
  static final String ISSUER = "https://oidc.example.com";
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  static Map<String, Object> discovery() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("issuer", ISSUER);
    d.put("jwks_uri", ISSUER + "/openid/v1/jwks");
    d.put("response_types_supported", List.of("id_token"));
    d.put("subject_types_supported", List.of("public"));
    d.put("id_token_signing_alg_values_supported", List.of("RS256"));
    return d;
  }

  /** A 2048-bit number in base64url, the size of a real key's modulus (the rules read only its length). */
  static final String MODULUS_2048 = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(modulus());

  private static byte[] modulus() {
    byte[] n = new byte[256];
    java.util.Arrays.fill(n, (byte) 0xA5);
    n[0] = (byte) 0xC1;
    return n;
  }

  static Map<String, Object> rsa(String kid) {
    Map<String, Object> k = new HashMap<>();
    k.put("kty", "RSA");
    k.put("kid", kid);
    k.put("use", "sig");
    k.put("alg", "RS256");
    k.put("n", MODULUS_2048);
    k.put("e", "AQAB");
    return k;
  }

  static Map<String, Object> ec(String kid, String crv, String alg) {
    Map<String, Object> k = new HashMap<>();
    k.put("kty", "EC");
    k.put("kid", kid);
    k.put("use", "sig");
    k.put("crv", crv);
    k.put("alg", alg);
    k.put("x", "AQAB");
    k.put("y", "AQAB");
    return k;
  }

  static Fetched json(String uri, Object doc) {
    String text = doc instanceof String s ? s : JSONObjectUtils.toJSONString(castMap(doc));
    return Fetched.ok(URI.create(uri), List.of(), text.getBytes(StandardCharsets.UTF_8));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }

  static Evidence evidence(Set<Cloud> clouds, Map<String, Object> discovery, List<Map<String, Object>> keys) {
    return new Evidence(ISSUER, clouds, NOW, json(ISSUER + "/.well-known/openid-configuration", discovery),
        keys == null ? null : json(ISSUER + "/openid/v1/jwks", Map.of("keys", keys)), null, null, null, null);
  }

  static CheckResult only(List<CheckResult> results, String label) {
    List<CheckResult> m = results.stream().filter(r -> r.label().equals(label)).toList();
    assertEquals(1, m.size(), label + " in " + results);
    return m.get(0);
  }

  static void assertFail(CheckResult r, String inMessage, String inFix) {
    assertEquals(Status.FAIL, r.status(), r.toString());
    assertTrue(r.message().contains(inMessage), r.message());
    assertTrue(r.fix().contains(inFix), r.fix());
  }

  @Test
  void aCorrectIssuerPassesEveryRule() {
    List<CheckResult> all = Rules.evaluate(evidence(Cloud.all(), discovery(), List.of(rsa("a"))));
    assertTrue(all.stream().allMatch(r -> r.status() == Status.PASS), all.toString());
    assertTrue(all.stream().allMatch(r -> r.fix() == null));
  }

  @Test
  void issuerHttpsAndAwsPort() {
    Evidence http = new Evidence("http://localhost:8080", EnumSet.of(Cloud.AWS), NOW, json("http://x", discovery()), null,
        null, null, null, null);
    assertFail(IssuerRules.https(http), "uses http", "https");
    assertFail(IssuerRules.noPort(http), "port 8080", "443");
    assertEquals(Status.PASS, IssuerRules.https(evidence(Cloud.all(), discovery(), null)).status());
    assertEquals(Status.PASS, IssuerRules.noPort(evidence(Cloud.all(), discovery(), null)).status());
    // Only AWS minds the port.
    assertTrue(IssuerRules.check(new Evidence("https://h:8443", EnumSet.of(Cloud.GCP), NOW, null, null, null, null, null, null))
        .stream().noneMatch(r -> r.name().equals("issuer.port")));
  }

  @Test
  void discoveryIssuerMustBeIdentical() {
    assertEquals(Status.PASS, DiscoveryRules.issuer(ISSUER, discovery()).status());
    Map<String, Object> d = discovery();
    d.put("issuer", ISSUER + "/");
    assertFail(DiscoveryRules.issuer(ISSUER, d), "only by a trailing slash", "byte for byte");
    d.put("issuer", "https://OIDC.example.com");
    assertFail(DiscoveryRules.issuer(ISSUER, d), "only in letter case", "byte for byte");
    d.put("issuer", "https://oidc.example.com:8443");
    assertFail(DiscoveryRules.issuer(ISSUER, d), "ports differ", "port");
    d.put("issuer", "https://oidc.example.com/a");
    assertFail(DiscoveryRules.issuer(ISSUER, d), "paths differ", "path");
  }

  @Test
  void discoveryFieldsPresentAndTyped() {
    assertEquals(Status.PASS, DiscoveryRules.fields(discovery()).status());
    Map<String, Object> d = discovery();
    d.remove("response_types_supported");
    d.put("subject_types_supported", "public");
    assertFail(DiscoveryRules.fields(d), "missing response_types_supported; wrong type: subject_types_supported", "five fields");
  }

  @Test
  void discoveryNotJson() {
    Evidence e = new Evidence(ISSUER, Cloud.all(), NOW, json(ISSUER, "<html>hi</html>"), null, null, null, null, null);
    assertFail(only(Rules.evaluate(e), "discovery.json"), "not a JSON object", "JSON document");
  }

  @Test
  void jwksUriMustBeHttps() {
    assertEquals(Status.PASS, DiscoveryRules.jwksUri(discovery()).status());
    Map<String, Object> d = discovery();
    d.put("jwks_uri", "http://oidc.example.com/keys");
    assertFail(DiscoveryRules.jwksUri(d), "not an https URL", "--service-account-jwks-uri");
  }

  @Test
  void fetchFailuresSayHowToFixThem() {
    URI u = URI.create(ISSUER + "/.well-known/openid-configuration");
    assertFail(FetchRules.check("discovery.fetch", "discovery document",
        Fetched.failed(u, List.of(), 404, Fetched.Failure.HTTP_STATUS, "HTTP 404")), "HTTP 404", "/.well-known/openid-configuration");
    assertFail(FetchRules.check("discovery.fetch", "discovery document",
        Fetched.failed(u, List.of(), 403, Fetched.Failure.HTTP_STATUS, "HTTP 403")), "HTTP 403", "system:unauthenticated");
    assertFail(FetchRules.check("jwks.fetch", "JWKS",
        Fetched.failed(u, List.of(), 0, Fetched.Failure.TIMEOUT, "slow")), "slow", "5 s");
    assertFail(FetchRules.check("jwks.fetch", "JWKS",
        Fetched.failed(u, List.of(URI.create("http://x")), 302, Fetched.Failure.INSECURE_REDIRECT, "down")), "down", "never redirect to http");
    CheckResult ok = FetchRules.check("jwks.fetch", "JWKS", Fetched.ok(u, List.of(URI.create(ISSUER + "/moved")), new byte[3]));
    assertEquals(Status.PASS, ok.status());
    assertTrue(ok.message().contains("redirected to " + ISSUER + "/moved"), ok.message());
  }

  @Test
  void jwksNeedsKeys() {
    assertFail(JwksRules.notEmpty(List.of()), "no keys", "--keys");
    assertEquals(Status.PASS, JwksRules.notEmpty(List.of(rsa("a"))).status());
  }

  @Test
  void privateMembersAreRefused() {
    Map<String, Object> leaked = rsa("a");
    leaked.put("d", "AQAB");
    assertFail(JwksRules.noPrivateMembers(List.of(rsa("b"), leaked)), "key a has d", "leaked");
    Map<String, Object> symmetric = new HashMap<>(Map.of("kty", "oct", "kid", "s", "k", "c2VjcmV0"));
    assertFail(JwksRules.noPrivateMembers(List.of(symmetric)), "key s has k", "public keys only");
    assertEquals(Status.PASS, JwksRules.noPrivateMembers(List.of(rsa("a"))).status());
  }

  @Test
  void kidsPresentAndUnique() {
    assertEquals(Status.PASS, JwksRules.kids(List.of(rsa("a"), rsa("b"))).status());
    assertFail(JwksRules.kids(List.of(rsa("a"), rsa("a"))), "kid used by more than one key: a", "its own kid");
    Map<String, Object> noKid = rsa("x");
    noKid.remove("kid");
    assertFail(JwksRules.kids(List.of(noKid)), "1 key(s) without a kid", "its own kid");
  }

  @Test
  void useMustBeSig() {
    Map<String, Object> enc = rsa("a");
    enc.put("use", "enc");
    assertFail(JwksRules.use(List.of(enc)), "key a has use \"enc\"", "\"sig\"");
    Map<String, Object> none = rsa("b");
    none.remove("use");
    assertEquals(Status.WARN, JwksRules.use(List.of(none)).status());
    assertEquals(Status.PASS, JwksRules.use(List.of(rsa("c"))).status());
  }

  @Test
  void algorithmsPerCloud() {
    List<Map<String, Object>> p384 = List.of(ec("e", "P-384", "ES384"));
    assertEquals(Status.PASS, JwksRules.algorithms(p384, Cloud.AWS).status());
    assertFail(JwksRules.algorithms(p384, Cloud.GCP), "no key uses an algorithm gcp accepts", "RS256 and ES256");
    assertFail(JwksRules.algorithms(List.of(ec("e", "P-256", "ES256")), Cloud.AZURE), "no key", "RS256 only");
    assertEquals(Status.PASS, JwksRules.algorithms(List.of(ec("e", "P-256", "ES256")), Cloud.GCP).status());
    // One usable key and one not: tokens from the other key are refused, a warning.
    CheckResult mixed = JwksRules.algorithms(List.of(rsa("r"), ec("e", "P-256", "ES256")), Cloud.AZURE);
    assertEquals(Status.WARN, mixed.status());
    assertTrue(mixed.message().contains("key e"), mixed.message());
    // PS256 is not in AWS's list; an alg-less RSA key counts as RS256.
    Map<String, Object> ps = rsa("p");
    ps.put("alg", "PS256");
    assertFail(JwksRules.algorithms(List.of(ps), Cloud.AWS), "no key", "RS256");
    Map<String, Object> bare = rsa("b");
    bare.remove("alg");
    assertEquals(Status.PASS, JwksRules.algorithms(List.of(bare), Cloud.AZURE).status());
  }

  @Test
  void awsKeyCount() {
    List<Map<String, Object>> keys = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      keys.add(rsa("r" + i));
      keys.add(ec("e" + i, "P-256", "ES256"));
    }
    assertEquals(Status.PASS, JwksRules.awsCount(keys).status());
    keys.add(ec("e-extra", "P-256", "ES256"));
    assertFail(JwksRules.awsCount(keys), "101 EC keys", "--max-keys");
  }

  @Test
  void gcpUploadLimitsAreWarnings() {
    List<Map<String, Object>> keys = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      keys.add(rsa("r" + i));
    }
    CheckResult tooMany = JwksRules.gcpUpload(keys);
    assertEquals(Status.WARN, tooMany.status());
    assertTrue(tooMany.message().contains("9 keys"), tooMany.message());
    Map<String, Object> x5c = rsa("c");
    x5c.put("x5c", List.of("MII"));
    assertTrue(JwksRules.gcpUpload(List.of(x5c)).message().contains("x5c"));
    assertEquals(Status.PASS, JwksRules.gcpUpload(List.of(rsa("a"))).status());
  }

  @Test
  void jwksChecksRunOnlyForTheChosenClouds() {
    List<CheckResult> r = Rules.evaluate(evidence(EnumSet.of(Cloud.AZURE), discovery(), List.of(rsa("a"))));
    assertTrue(r.stream().noneMatch(c -> c.cloud() == Cloud.AWS || c.cloud() == Cloud.GCP), r.toString());
    assertEquals(Status.PASS, only(r, "jwks.algs[azure]").status());
  }

  @Test
  void tlsChainVerdicts() throws Exception {
    TestCa ca = TestCa.create("unit");
    TlsChain chain = TlsChain.of(ca.server("oidc.example.com").chain());
    CheckResult pub = TlsRules.chain(new TlsObservation("h", 443, chain, TlsObservation.Trust.PUBLIC, null));
    assertEquals(Status.PASS, pub.status());
    assertTrue(pub.message().contains("leaf \"CN=oidc.example.com\" issued by \"CN=unit Intermediate\""), pub.message());
    assertEquals(Status.WARN, TlsRules.chain(new TlsObservation("h", 443, chain, TlsObservation.Trust.EXTRA_CA, null)).status());
    assertFail(TlsRules.chain(new TlsObservation("h", 443, chain, TlsObservation.Trust.UNTRUSTED, "PKIX path building failed")),
        "PKIX path building failed", "openssl s_client -connect h:443");
    CheckResult thumb = TlsRules.awsThumbprint(new TlsObservation("h", 443, chain, TlsObservation.Trust.PUBLIC, null));
    assertTrue(thumb.message().contains(TlsChain.sha1Thumbprint(ca.intermediate)), thumb.message());
    assertNull(TlsRules.awsThumbprint(new TlsObservation("h", 443, chain, TlsObservation.Trust.UNTRUSTED, "x")));
  }
}
