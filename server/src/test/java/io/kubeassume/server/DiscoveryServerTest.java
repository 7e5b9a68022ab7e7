package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.kubeassume.keys.KeyIds;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The public and management ports, over a real socket, with a real HTTP client. */
class DiscoveryServerTest {
  static final String ISSUER = "http://127.0.0.1/clusters/a";
  static final String DISCOVERY = "/clusters/a/.well-known/openid-configuration";
  static final String JWKS = "/clusters/a/openid/v1/jwks";
  static TestServer t;

  @BeforeAll
  static void start() throws Exception {
    t = TestServer.start(TestServer.config(ISSUER, List.of(TestServer.DEV_PUBLIC_KEY)).maxAgeSeconds(120).build());
    TestServer.await(java.time.Duration.ofSeconds(10), "first documents served",
        TestServer.io(() -> t.get(t.publicUri(JWKS)).statusCode() == 200));
  }

  @AfterAll
  static void stop() throws Exception {
    t.close();
  }

  @Test
  void portZeroStartsWithSeveralEventLoopsConfigured() throws Exception {
    // The CLI default is one public server per core; port 0 must still start (Vert.x cannot share a random port).
    try (TestServer s = TestServer.start(TestServer.config(ISSUER, List.of(TestServer.DEV_PUBLIC_KEY)).instances(4).build())) {
      TestServer.await(java.time.Duration.ofSeconds(10), "the JWKS is served",
          TestServer.io(() -> s.get(s.publicUri("/clusters/a/openid/v1/jwks")).statusCode() == 200));
    }
  }

  @Test
  void discoveryDocumentIsExactlyWhatTheApiServerWrites() throws Exception {
    HttpResponse<String> r = t.get(t.publicUri(DISCOVERY));
    assertEquals(200, r.statusCode());
    assertEquals("{\"issuer\":\"http://127.0.0.1/clusters/a\",\"jwks_uri\":\"http://127.0.0.1/clusters/a/openid/v1/jwks\","
        + "\"response_types_supported\":[\"id_token\"],\"subject_types_supported\":[\"public\"],"
        + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}", r.body());
    assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());
  }

  @Test
  void jwksHasThePublicKeyWithTheApiServerKidAndNothingPrivate() throws Exception {
    HttpResponse<String> r = t.get(t.publicUri(JWKS));
    assertEquals(200, r.statusCode());
    assertEquals("application/jwk-set+json", r.headers().firstValue("content-type").orElseThrow());
    List<Map<String, Object>> keys = List.of(JSONObjectUtils.getJSONObjectArray(JSONObjectUtils.parse(r.body()), "keys"));
    assertEquals(1, keys.size());
    Map<String, Object> key = keys.get(0);
    assertEquals(List.of("use", "kty", "kid", "alg", "n", "e"), List.copyOf(key.keySet()));
    assertEquals(Files.readString(TestServer.repoFile("certs/dev/sa.kid")).strip(), key.get("kid"));
    assertEquals("sig", key.get("use"));
    assertEquals("RS256", key.get("alg"));
  }

  @Test
  void everyDocumentResponseCarriesCachingCorsAndNosniffHeaders() throws Exception {
    for (String path : List.of(DISCOVERY, JWKS)) {
      HttpResponse<String> r = t.get(t.publicUri(path));
      assertEquals("public, max-age=120", r.headers().firstValue("cache-control").orElseThrow(), path);
      assertEquals("*", r.headers().firstValue("access-control-allow-origin").orElseThrow(), path);
      assertEquals("nosniff", r.headers().firstValue("x-content-type-options").orElseThrow(), path);
      String etag = r.headers().firstValue("etag").orElseThrow();
      assertTrue(etag.matches("\"[A-Za-z0-9_-]+\""), "strong ETag: " + etag);
    }
  }

  @Test
  void matchingIfNoneMatchGets304WithoutBody() throws Exception {
    String etag = t.get(t.publicUri(JWKS)).headers().firstValue("etag").orElseThrow();
    for (String ifNoneMatch : List.of(etag, "W/" + etag, "\"other\", " + etag, "*")) {
      HttpResponse<String> r = t.get(t.publicUri(JWKS), "If-None-Match", ifNoneMatch);
      assertEquals(304, r.statusCode(), ifNoneMatch);
      assertEquals("", r.body());
      assertEquals(etag, r.headers().firstValue("etag").orElseThrow());
      assertEquals("public, max-age=120", r.headers().firstValue("cache-control").orElseThrow());
    }
    assertEquals(200, t.get(t.publicUri(JWKS), "If-None-Match", "\"stale\"").statusCode());
    // The discovery document has its own ETag.
    assertEquals(200, t.get(t.publicUri(DISCOVERY), "If-None-Match", etag).statusCode());
  }

  @Test
  void headHasTheHeadersOfGetAndNoBody() throws Exception {
    HttpResponse<String> get = t.get(t.publicUri(JWKS));
    HttpResponse<String> head = t.send("HEAD", t.publicUri(JWKS));
    assertEquals(200, head.statusCode());
    assertEquals("", head.body());
    assertEquals(String.valueOf(get.body().length()), head.headers().firstValue("content-length").orElseThrow());
    for (String h : List.of("content-type", "etag", "cache-control", "access-control-allow-origin")) {
      assertEquals(get.headers().firstValue(h), head.headers().firstValue(h), h);
    }
  }

  @Test
  void anyOtherPathIs404() throws Exception {
    for (String path : List.of("/", "/.well-known/openid-configuration", "/openid/v1/jwks", "/clusters/a",
        "/clusters/a/openid/v1/jwks/", "/clusters/a/openid/v1/jwks/x", "/healthz", "/readyz", "/metrics",
        "/clusters/a/../a/openid/v1/jwks")) {
      HttpResponse<String> r = t.get(t.publicUri(path));
      assertEquals(404, r.statusCode(), path);
      assertEquals("nosniff", r.headers().firstValue("x-content-type-options").orElseThrow(), path);
    }
  }

  @Test
  void otherMethodsOnTheDocumentsAre405WithAllow() throws Exception {
    for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
      HttpResponse<String> r = t.send(method, t.publicUri(JWKS));
      assertEquals(405, r.statusCode(), method);
      assertEquals("GET, HEAD", r.headers().firstValue("allow").orElseThrow(), method);
    }
  }

  @Test
  void aTokenSignedWithTheDevKeyVerifiesAgainstTheDiscoveredJwks() throws Exception {
    RSAKey signingKey = TestServer.devPrivateKey();
    String kid = KeyIds.apiServerKid(signingKey.toPublicKey());
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER).subject("system:serviceaccount:default:app").audience("sts.amazonaws.com")
        .issueTime(new Date()).expirationTime(new Date(System.currentTimeMillis() + 600_000)).build();
    SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims);
    token.sign(new RSASSASigner(signingKey));

    // What a relying party does: discovery document -> jwks_uri -> verify.
    Map<String, Object> discovery = JSONObjectUtils.parse(t.get(t.publicUri(DISCOVERY)).body());
    assertEquals(ISSUER, discovery.get("issuer"));
    String jwksUri = ((String) discovery.get("jwks_uri")).replace("http://127.0.0.1/", "http://127.0.0.1:" + t.server.publicPort() + "/");
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256,
        JWKSourceBuilder.create(new URL(jwksUri)).retrying(false).build()));
    JWTClaimsSet verified = processor.process(token.serialize(), null);
    assertEquals("system:serviceaccount:default:app", verified.getSubject());
  }

  @Test
  void managementPortServesHealthReadinessAndMetrics() throws Exception {
    HttpResponse<String> health = t.get(t.managementUri("/healthz"));
    assertEquals(200, health.statusCode());
    HttpResponse<String> ready = t.get(t.managementUri("/readyz"));
    assertEquals(200, ready.statusCode());
    Map<String, Object> body = JSONObjectUtils.parse(ready.body());
    assertEquals(true, body.get("ready"));
    assertEquals(ISSUER, body.get("issuer"));
    String metrics = t.metrics();
    for (String name : List.of("kubeassume_sync_total{source=\"files\",status=\"success\"}",
        "kubeassume_sync_total{source=\"files\",status=\"error\"}", "kubeassume_sync_duration_seconds_count",
        "kubeassume_rotation_total{type=\"new_key\"}", "kubeassume_rotation_total{type=\"key_expired\"}",
        "kubeassume_active_keys ", "kubeassume_last_sync_timestamp_seconds ", "kubeassume_http_open_connections ",
        "jvm_memory_used_bytes")) {
      assertTrue(metrics.contains(name), "metrics expose " + name);
    }
    assertEquals(1.0, t.metric("kubeassume_active_keys"));
    assertTrue(t.metric("kubeassume_last_sync_timestamp_seconds") > 1.7e9);
    assertFalse(t.get(t.managementUri("/clusters/a/openid/v1/jwks")).statusCode() == 200, "documents are not on the management port");
  }

  @Test
  void publicRequestsAreCountedByDocumentAndStatus() throws Exception {
    String jwks200 = "kubeassume_http_requests_total{code=\"200\",document=\"jwks\"}";
    String other404 = "kubeassume_http_requests_total{code=\"404\",document=\"other\"}";
    String discovery405 = "kubeassume_http_requests_total{code=\"405\",document=\"discovery\"}";
    double jwksBefore = t.metric(jwks200);
    double otherBefore = t.metric(other404);
    double methodBefore = t.metric(discovery405);
    t.get(t.publicUri(JWKS));
    t.get(t.publicUri(JWKS));
    t.get(t.publicUri("/nope"));
    t.send("POST", t.publicUri(DISCOVERY));
    assertEquals(jwksBefore + 2, t.metric(jwks200));
    assertEquals(otherBefore + 1, t.metric(other404));
    assertEquals(methodBefore + 1, t.metric(discovery405));
    assertTrue(t.metric("kubeassume_http_open_connections") >= 1, "the client's keep-alive connection is open");
  }
}
