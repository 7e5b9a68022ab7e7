package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.server.KubeassumeServer;
import io.kubeassume.verify.HttpsFixture;
import io.kubeassume.verify.HttpsFixture.Answer;
import io.kubeassume.verify.TestCa;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * verify against the real kubeassume server (over http, and behind a TLS-terminating proxy with a
 * test CA) and against small local servers that each break one rule.
 */
class VerifyCommandTest {
  static final String GCP_AUD = "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/k8s";
  static final List<String> ALL_AUDIENCES = List.of("sts.amazonaws.com", "api://AzureADTokenExchange", GCP_AUD);
  /** Every cloud but AWS, which refuses any issuer with a port, as every local test server has. */
  static final String NO_PORT_CLOUDS = "gcp,azure,oci";

  static TestCa ca;
  static TestCa.Server serverCert;
  static RSAKey devKey;

  @TempDir
  static Path dir;
  static Path caFile;

  @BeforeAll
  static void pki() throws Exception {
    ca = TestCa.create("kubeassume test");
    serverCert = ca.server("oidc.test");
    caFile = ca.writeRoot(dir.resolve("ca.pem"));
    devKey = devPrivateKey();
  }

  record Run(int exit, String out, String err) {
    Map<String, Object> json() throws Exception {
      return JSONObjectUtils.parse(out);
    }

    /** Labels of the failed checks, e.g. {@code token.aud[azure]}. */
    Set<String> failed() throws Exception {
      return labels("FAIL");
    }

    Set<String> labels(String status) throws Exception {
      Set<String> s = new TreeSet<>();
      for (Map<String, Object> c : checks()) {
        if (status.equals(c.get("status"))) {
          s.add(c.get("name") + (c.get("cloud") == null ? "" : "[" + c.get("cloud") + "]"));
        }
      }
      return s;
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> checks() throws Exception {
      return (List<Map<String, Object>>) json().get("checks");
    }

    Map<String, Object> check(String label) throws Exception {
      for (Map<String, Object> c : checks()) {
        if (label.equals(c.get("name") + (c.get("cloud") == null ? "" : "[" + c.get("cloud") + "]"))) {
          return c;
        }
      }
      throw new AssertionError("no check " + label + " in " + out);
    }
  }

  static Run verify(Map<String, String> env, String... args) {
    CommandLine cmd = KubeassumeCommand.commandLine(env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of("verify"));
    all.addAll(List.of(args));
    return new Run(cmd.execute(all.toArray(new String[0])), out.toString(), err.toString());
  }

  static Run verify(String... args) {
    return verify(Map.of(), args);
  }

  /** The committed dev key pair (certs/dev), parsed with the JDK. */
  static RSAKey devPrivateKey() throws Exception {
    Path pub = Path.of(ServeFlagsTest.KEY);
    String pem = Files.readString(pub.resolveSibling("sa.key")).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    RSAPrivateCrtKey priv = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
    RSAPublicKey pubKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
        .generatePublic(new RSAPublicKeySpec(priv.getModulus(), priv.getPublicExponent()));
    String kid = Files.readString(pub.resolveSibling("sa.kid")).strip();
    return new RSAKey.Builder(pubKey).privateKey(priv).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).build();
  }

  /** A service-account token as the API server mints it, signed with {@code key}. */
  static Path token(String name, RSAKey key, String iss, String sub, List<String> aud, Instant iat, Instant exp) throws Exception {
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(iss).subject(sub).audience(aud)
        .issueTime(Date.from(iat)).notBeforeTime(Date.from(iat)).expirationTime(Date.from(exp))
        .claim("kubernetes.io", Map.of("namespace", "team-a", "serviceaccount", Map.of("name", "app"))).build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
        claims);
    jwt.sign(new RSASSASigner(key));
    Path file = dir.resolve(name);
    Files.writeString(file, jwt.serialize());
    return file;
  }

  static Path goodToken(String name, String iss) throws Exception {
    Instant now = Instant.now();
    return token(name, devKey, iss, "system:serviceaccount:team-a:app", ALL_AUDIENCES, now.minusSeconds(10), now.plusSeconds(600));
  }

  static KubeassumeServer startServer(String issuer, int port) throws Exception {
    ServeConfig config = ServeConfig.builder(IssuerUrl.parse(issuer)).keys(List.of(Path.of(ServeFlagsTest.KEY)))
        .bind("127.0.0.1").port(port).managementPort(0).instances(1).build();
    return KubeassumeServer.start(config).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static void stop(KubeassumeServer s) throws Exception {
    s.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  // ---- the real kubeassume server --------------------------------------------------------------

  @Test
  void realServerOverHttpFailsOnlyTheHttpsRulesAndEverythingElsePasses() throws Exception {
    int port = freePort();
    String issuer = "http://127.0.0.1:" + port;
    KubeassumeServer server = startServer(issuer, port);
    try {
      Run r = verify("--issuer-url", issuer, "--cloud", NO_PORT_CLOUDS, "--token", goodToken("http.jwt", issuer).toString(),
          "--output", "json");
      assertEquals(1, r.exit(), r.out() + r.err());
      assertEquals(Set.of("issuer.https", "discovery.jwks-uri"), r.failed(), r.out());
      assertTrue(r.labels("PASS").containsAll(Set.of("discovery.issuer", "discovery.fields", "jwks.private", "jwks.kids",
          "jwks.algs[azure]", "token.signature", "token.iss", "token.aud[azure]", "token.aud[gcp]", "token.exp",
          "token.sub", "token.lifetime[gcp]")), r.out());
      assertTrue(((String) r.check("issuer.https").get("fix")).contains("https"), r.out());
    } finally {
      stop(server);
    }
  }

  @Test
  void realServerBehindHttpsWithATestCaPasses() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    int[] upstream = new int[1];
    try (HttpsFixture proxy = HttpsFixture.https(serverCert.sslContext())) {
      // A TLS-terminating proxy in front of kubeassume, as an Ingress would be.
      proxy.otherwise(path -> {
        try {
          HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstream[0] + path))
              .build(), HttpResponse.BodyHandlers.ofByteArray());
          return new Answer(resp.statusCode(), resp.headers().firstValue("Content-Type").orElse(null), resp.body(), null);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.IOException(e);
        }
      });
      String issuer = proxy.origin();
      KubeassumeServer server = startServer(issuer, 0);
      upstream[0] = server.publicPort();
      try {
        String token = goodToken("https.jwt", issuer).toString();
        Run r = verify("--issuer-url", issuer, "--cloud", NO_PORT_CLOUDS, "--ca-file", caFile.toString(), "--token", token,
            "--output", "json");
        assertEquals(0, r.exit(), r.out() + r.err());
        assertEquals(Set.of(), r.failed());
        // Trusted only through --ca-file: fine for the test, but a warning because clouds trust public CAs.
        assertEquals(Set.of("tls.chain"), r.labels("WARN"), r.out());
        assertEquals("pass", r.json().get("result"));
        @SuppressWarnings("unchecked")
        Map<String, Object> jwksTls = (Map<String, Object>) ((Map<String, Object>) r.json().get("tls")).get("jwks");
        assertEquals("EXTRA_CA", jwksTls.get("trust"));
        assertEquals("CN=oidc.test", jwksTls.get("leafSubject"));
        assertEquals("CN=kubeassume test Intermediate", jwksTls.get("leafIssuer"));
        assertEquals(sha1Hex(ca.intermediate.getEncoded()), jwksTls.get("awsThumbprint"));

        // With AWS too, the only failure is the port that AWS refuses; the thumbprint is reported for AWS.
        Run all = verify("--issuer-url", issuer, "--ca-file", caFile.toString(), "--token", token, "--output", "json");
        assertEquals(1, all.exit());
        assertEquals(Set.of("issuer.port[aws]"), all.failed(), all.out());
        assertTrue(((String) all.check("tls.aws-thumbprint[aws]").get("message")).contains(sha1Hex(ca.intermediate.getEncoded())));

        // The text report: one line per check, the fix on failing lines, the chain, the verdict.
        Run text = verify("--issuer-url", issuer, "--ca-file", caFile.toString());
        assertEquals(1, text.exit());
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("PASS discovery.issuer")), text.out());
        assertTrue(text.out().lines().anyMatch(l -> l.startsWith("FAIL issuer.port[aws]") && l.contains("| fix: serve the issuer on the default https port")),
            text.out());
        assertTrue(text.out().contains("AWS thumbprint " + sha1Hex(ca.intermediate.getEncoded())), text.out());
        assertTrue(text.out().contains("Result: FAIL (1 failed"), text.out());

        // Without the test CA the chain is what clouds see: untrusted.
        Run untrusted = verify("--issuer-url", issuer, "--cloud", NO_PORT_CLOUDS, "--output", "json");
        assertEquals(1, untrusted.exit());
        assertEquals(Set.of("discovery.fetch", "tls.chain"), untrusted.failed(), untrusted.out());
        assertTrue(((String) untrusted.check("tls.chain").get("fix")).contains("public CA"));
      } finally {
        stop(server);
      }
    }
  }

  static String sha1Hex(byte[] der) {
    SHA1Digest d = new SHA1Digest();
    d.update(der, 0, der.length);
    byte[] out = new byte[20];
    d.doFinal(out, 0);
    return Hex.toHexString(out);
  }

  // ---- local servers that break one rule each --------------------------------------------------

  /** A correct issuer on a local https server, with hooks to break it. */
  static final class Issuer implements AutoCloseable {
    final HttpsFixture server;
    final String url;
    final Map<String, Object> discovery = new LinkedHashMap<>();
    final List<Map<String, Object>> keys = new ArrayList<>();

    Issuer(String path) throws Exception {
      server = HttpsFixture.https(serverCert.sslContext());
      url = server.origin() + path;
      String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      discovery.put("issuer", url);
      discovery.put("jwks_uri", base + "/openid/v1/jwks");
      discovery.put("response_types_supported", List.of("id_token"));
      discovery.put("subject_types_supported", List.of("public"));
      discovery.put("id_token_signing_alg_values_supported", List.of("RS256"));
      keys.add(new HashMap<>(devKey.toPublicJWK().toJSONObject()));
    }

    Issuer() throws Exception {
      this("");
    }

    /** Publishes the documents as they are now. */
    Run verify(String... args) {
      String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      String path = URI.create(base).getRawPath();
      server.on(path + "/.well-known/openid-configuration", Answer.json(JSONObjectUtils.toJSONString(discovery)));
      server.on(path + "/openid/v1/jwks", Answer.json(JSONObjectUtils.toJSONString(Map.of("keys", keys))));
      List<String> all = new ArrayList<>(List.of("--issuer-url", url, "--ca-file", caFile.toString(), "--output", "json"));
      if (!List.of(args).contains("--cloud")) {
        all.addAll(List.of("--cloud", NO_PORT_CLOUDS));
      }
      all.addAll(List.of(args));
      return VerifyCommandTest.verify(all.toArray(new String[0]));
    }

    @Override
    public void close() {
      server.close();
    }
  }

  /** Asserts exit 1 and exactly these failed checks, each with a fix; returns the first one. */
  static Map<String, Object> assertFails(Run r, String... labels) throws Exception {
    assertEquals(1, r.exit(), r.out() + r.err());
    assertEquals(new TreeSet<>(List.of(labels)), r.failed(), r.out());
    for (String l : labels) {
      Object fix = r.check(l).get("fix");
      assertNotNull(fix, l + " has no fix");
      assertFalse(((String) fix).isBlank());
    }
    return r.check(labels[0]);
  }

  @Test
  void theUnbrokenLocalIssuerPasses() throws Exception {
    try (Issuer i = new Issuer()) {
      Run r = i.verify("--token", goodToken("good.jwt", i.url).toString());
      assertEquals(0, r.exit(), r.out());
      assertEquals(Set.of(), r.failed());
    }
  }

  @Test
  void wrongIssuer() throws Exception {
    try (Issuer i = new Issuer()) {
      i.discovery.put("issuer", "https://other.example.com");
      Map<String, Object> c = assertFails(i.verify(), "discovery.issuer");
      assertTrue(((String) c.get("message")).contains("https://other.example.com"), c.toString());
      assertTrue(((String) c.get("fix")).contains("byte for byte"), c.toString());
    }
  }

  @Test
  void trailingSlashDifference() throws Exception {
    try (Issuer i = new Issuer("/clusters/a")) {
      i.discovery.put("issuer", i.url + "/");
      Map<String, Object> c = assertFails(i.verify(), "discovery.issuer");
      assertTrue(((String) c.get("message")).contains("differ only by a trailing slash"), c.toString());
    }
  }

  @Test
  void jwksUriOverHttp() throws Exception {
    try (Issuer i = new Issuer(); HttpsFixture plain = HttpsFixture.http()) {
      plain.on("/keys", Answer.json(JSONObjectUtils.toJSONString(Map.of("keys", i.keys))));
      i.discovery.put("jwks_uri", plain.origin() + "/keys");
      Map<String, Object> c = assertFails(i.verify(), "discovery.jwks-uri");
      assertTrue(((String) c.get("message")).contains("is not an https URL"), c.toString());
    }
  }

  @Test
  void missingFields() throws Exception {
    try (Issuer i = new Issuer()) {
      i.discovery.remove("subject_types_supported");
      i.discovery.remove("id_token_signing_alg_values_supported");
      Map<String, Object> c = assertFails(i.verify(), "discovery.fields");
      assertTrue(((String) c.get("message")).contains("missing subject_types_supported, id_token_signing_alg_values_supported"),
          c.toString());
    }
  }

  @Test
  void privateMemberD() throws Exception {
    try (Issuer i = new Issuer()) {
      i.keys.set(0, new HashMap<>(devKey.toJSONObject()));
      Map<String, Object> c = assertFails(i.verify(), "jwks.private");
      assertTrue(((String) c.get("message")).contains("has d, p, q, dp, dq, qi"), c.toString());
      assertTrue(((String) c.get("fix")).contains("leaked"), c.toString());
    }
  }

  @Test
  void duplicateKids() throws Exception {
    try (Issuer i = new Issuer()) {
      Map<String, Object> other = new HashMap<>(new RSAKeyGenerator(2048).keyID(devKey.getKeyID()).keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.RS256).generate().toPublicJWK().toJSONObject());
      i.keys.add(other);
      Map<String, Object> c = assertFails(i.verify(), "jwks.kids");
      assertTrue(((String) c.get("message")).contains("kid used by more than one key: " + devKey.getKeyID()), c.toString());
    }
  }

  @Test
  void tooManyKeysForAws() throws Exception {
    try (Issuer i = new Issuer()) {
      for (int n = 0; n < 100; n++) {
        Map<String, Object> k = new HashMap<>(i.keys.get(0));
        k.put("kid", "retired-" + n);
        i.keys.add(k);
      }
      Run r = i.verify("--cloud", "aws");
      Map<String, Object> c = assertFails(r, "jwks.count[aws]", "issuer.port[aws]");
      assertTrue(((String) c.get("message")).contains("101 RSA"), c.toString());
      // The same JWKS is too big to upload to GCP: a warning, since GCP fetches any number of keys.
      assertEquals("WARN", i.verify("--cloud", "gcp").check("jwks.gcp-upload[gcp]").get("status"));
    }
  }

  @Test
  void oversizeDocument() throws Exception {
    try (Issuer i = new Issuer()) {
      i.keys.get(0).put("x-padding", "a".repeat(1024 * 1024));
      Map<String, Object> c = assertFails(i.verify(), "jwks.fetch");
      assertTrue(((String) c.get("message")).contains("verify reads at most 1048576 bytes"), c.toString());
    }
  }

  @Test
  void redirectLoop() throws Exception {
    try (Issuer i = new Issuer()) {
      i.server.on("/go-round", Answer.redirect("/.well-known/openid-configuration"));
      i.verify(); // publishes the documents; then replace discovery with a loop
      i.server.on("/.well-known/openid-configuration", Answer.redirect(i.url + "/go-round"));
      Run r = VerifyCommandTest.verify("--issuer-url", i.url, "--ca-file", caFile.toString(), "--cloud", NO_PORT_CLOUDS,
          "--output", "json");
      Map<String, Object> c = assertFails(r, "discovery.fetch");
      assertTrue(((String) c.get("message")).contains("redirect loop"), c.toString());
    }
  }

  @Test
  void notFound() throws Exception {
    try (HttpsFixture empty = HttpsFixture.https(serverCert.sslContext())) {
      Run r = verify("--issuer-url", empty.origin() + "/clusters/a", "--ca-file", caFile.toString(), "--cloud",
          NO_PORT_CLOUDS, "--output", "json");
      Map<String, Object> c = assertFails(r, "discovery.fetch");
      assertTrue(((String) c.get("message")).contains("HTTP 404"), c.toString());
      assertTrue(((String) c.get("fix")).contains("/.well-known/openid-configuration"), c.toString());
    }
  }

  @Test
  void untrustedChain() throws Exception {
    TestCa stranger = TestCa.create("stranger");
    try (Issuer i = new Issuer()) {
      Path otherCa = stranger.writeRoot(dir.resolve("stranger.pem"));
      i.verify();
      Run r = verify("--issuer-url", i.url, "--ca-file", otherCa.toString(), "--cloud", NO_PORT_CLOUDS, "--output", "json");
      Map<String, Object> c = assertFails(r, "discovery.fetch", "tls.chain");
      assertTrue(((String) r.check("tls.chain").get("message")).contains("leaf \"CN=oidc.test\""), c.toString());
    }
  }

  @Test
  void tokenWithWrongAudience() throws Exception {
    try (Issuer i = new Issuer()) {
      Instant now = Instant.now();
      Path t = token("aud.jwt", devKey, i.url, "system:serviceaccount:team-a:app", List.of("https://kubernetes.default.svc"),
          now.minusSeconds(5), now.plusSeconds(600));
      Run r = i.verify("--token", t.toString(), "--cloud", "azure,gcp");
      Map<String, Object> c = assertFails(r, "token.aud[azure]");
      assertTrue(((String) c.get("message")).contains("azure expects api://AzureADTokenExchange"), c.toString());
      assertEquals("WARN", r.check("token.aud[gcp]").get("status"));
      // An explicit --audience applies to every cloud.
      assertFails(i.verify("--token", t.toString(), "--cloud", "gcp,oci", "--audience", "my-aud"), "token.aud[gcp]", "token.aud[oci]");
    }
  }

  @Test
  void expiredToken() throws Exception {
    try (Issuer i = new Issuer()) {
      Instant now = Instant.now();
      Path t = token("expired.jwt", devKey, i.url, "system:serviceaccount:team-a:app", ALL_AUDIENCES,
          now.minusSeconds(3600), now.minusSeconds(60));
      Map<String, Object> c = assertFails(i.verify("--token", t.toString()), "token.exp");
      assertTrue(((String) c.get("message")).contains("expired at"), c.toString());
    }
  }

  @Test
  void tokenWithBadSignature() throws Exception {
    try (Issuer i = new Issuer()) {
      RSAKey impostor = new RSAKeyGenerator(2048).keyID(devKey.getKeyID()).generate();
      Instant now = Instant.now();
      Path t = token("forged.jwt", impostor, i.url, "system:serviceaccount:team-a:app", ALL_AUDIENCES,
          now.minusSeconds(5), now.plusSeconds(600));
      Map<String, Object> c = assertFails(i.verify("--token", t.toString()), "token.signature");
      assertTrue(((String) c.get("message")).contains("does not verify"), c.toString());
    }
  }

  @Test
  void tokenWithBadSubject() throws Exception {
    try (Issuer i = new Issuer()) {
      Instant now = Instant.now();
      Path t = token("sub.jwt", devKey, i.url, "alice@example.com", ALL_AUDIENCES, now.minusSeconds(5), now.plusSeconds(600));
      Map<String, Object> c = assertFails(i.verify("--token", t.toString()), "token.sub");
      assertTrue(((String) c.get("message")).contains("alice@example.com"), c.toString());
    }
  }

  @Test
  void tokenFromAnotherIssuerAndAYearLong() throws Exception {
    try (Issuer i = new Issuer()) {
      Instant now = Instant.now();
      Path t = token("year.jwt", devKey, i.url + "/", "system:serviceaccount:team-a:app", ALL_AUDIENCES,
          now.minusSeconds(5), now.plus(Duration.ofDays(365)));
      assertFails(i.verify("--token", t.toString()), "token.iss", "token.lifetime[gcp]");
    }
  }

  // ---- usage errors ----------------------------------------------------------------------------

  @Test
  void usageErrorsExitTwoWithOneLineNamingTheFlag() {
    Run missing = verify();
    assertEquals(2, missing.exit());
    assertTrue(missing.err().startsWith("kubeassume verify: --issuer-url: is required"), missing.err());

    Run cloud = verify("--issuer-url", "https://oidc.example.com", "--cloud", "aws,ibm");
    assertEquals(2, cloud.exit());
    assertTrue(cloud.err().contains("--cloud: 'ibm' is not a cloud"), cloud.err());

    Run env = verify(Map.of("KUBEASSUME_OUTPUT", "yaml"), "--issuer-url", "https://oidc.example.com");
    assertEquals(2, env.exit());
    assertTrue(env.err().contains("--output (from KUBEASSUME_OUTPUT): 'yaml' is not a format"), env.err());

    Run http = verify("--issuer-url", "http://oidc.example.com");
    assertEquals(2, http.exit());
    assertTrue(http.err().contains("must use https"), http.err());

    Run token = verify("--issuer-url", "https://oidc.example.com", "--token", dir.resolve("absent.jwt").toString());
    assertEquals(2, token.exit());
    assertTrue(token.err().contains("--token: cannot read"), token.err());

    Run caFileErr = verify("--issuer-url", "https://oidc.example.com", "--ca-file", ServeFlagsTest.KEY);
    assertEquals(2, caFileErr.exit());
    assertTrue(caFileErr.err().contains("--ca-file:"), caFileErr.err());
    assertEquals(1, caFileErr.err().lines().count(), caFileErr.err());
  }
}
