package io.kubeassume.cli;

import static io.kubeassume.cli.VerifyCommandTest.assertFails;
import static io.kubeassume.cli.VerifyCommandTest.caFile;
import static io.kubeassume.cli.VerifyCommandTest.ca;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.kubeassume.server.KubeassumeServer;
import io.kubeassume.verify.HttpsFixture;
import io.kubeassume.verify.HttpsFixture.Answer;
import io.kubeassume.verify.TestCa;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** verify against issuers broken one way at a time: a weak key, and TLS that fails through --ca-file too. */
class VerifyBrokenIssuerTest {
  @TempDir
  static Path dir;

  @BeforeAll
  static void pki() throws Exception {
    VerifyCommandTest.dir = dir;
    VerifyCommandTest.pki();
  }

  /** The rule kubeassume's own jwks and serve apply: an issuer with a 1024-bit RSA key fails. */
  @Test
  void a1024BitRsaKeyFailsWithTheRuleServeApplies() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(1024);
    RSAKey weak = new RSAKey.Builder((RSAPublicKey) g.generateKeyPair().getPublic()).keyID("weak")
        .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).build();
    try (VerifyCommandTest.Issuer i = new VerifyCommandTest.Issuer()) {
      i.keys.add(new HashMap<>(weak.toJSONObject()));
      Map<String, Object> c = assertFails(i.verify(), "jwks.strength");
      assertEquals("key weak is RSA of 1024 bits: too weak, under the 2048 bits that kubeassume's serve and jwks require "
          + "of every key they publish", c.get("message"));
      assertTrue(((String) c.get("fix")).contains("at least 2048 bits"), c.toString());
      // A 2048-bit key (the dev key) passes.
      i.keys.remove(1);
      assertEquals("PASS", i.verify().check("jwks.strength").get("status"));
    }
  }

  /** An issuer on an https server with {@code cert}, checked with the CA that issued it as --ca-file. */
  static VerifyCommandTest.Run verifyWith(TestCa.Server cert) throws Exception {
    try (HttpsFixture server = HttpsFixture.https(cert.sslContext())) {
      String url = server.origin();
      server.on("/.well-known/openid-configuration", Answer.json(JSONObjectUtils.toJSONString(Map.of("issuer", url,
          "jwks_uri", url + "/openid/v1/jwks", "response_types_supported", List.of("id_token"),
          "subject_types_supported", List.of("public"), "id_token_signing_alg_values_supported", List.of("RS256")))));
      return VerifyCommandTest.verify("--issuer-url", url, "--ca-file", caFile.toString(), "--cloud",
          VerifyCommandTest.NO_PORT_CLOUDS, "--output", "json");
    }
  }

  @Test
  void anExpiredCertificateIsReportedAsExpiredEvenWithCaFile() throws Exception {
    Instant now = Instant.now();
    TestCa.Server expired = ca.server("oidc.test", now.minus(Duration.ofDays(90)), now.minus(Duration.ofDays(1)), "127.0.0.1");
    VerifyCommandTest.Run r = verifyWith(expired);
    Map<String, Object> chain = assertFails(r, "tls.chain", "discovery.fetch");
    String message = (String) chain.get("message");
    assertTrue(message.contains("certificate \"CN=oidc.test\" expired on "
        + expired.chain().get(0).getNotAfter().toInstant() + " (also with --ca-file)"), message);
    assertTrue(message.contains("a client with only the public CAs, as cloud IAM, sees: issued by \"CN=kubeassume test "
        + "Root\", a CA the client does not trust (unknown CA)"), message);
    assertTrue(((String) chain.get("fix")).startsWith("renew the certificate"), chain.toString());
    String fetch = (String) r.check("discovery.fetch").get("message");
    assertTrue(fetch.contains("expired") && !fetch.contains("unable to find valid certification path"), fetch);
  }

  @Test
  void aCertificateForAnotherHostIsANameMismatchEvenWithCaFile() throws Exception {
    Instant now = Instant.now();
    TestCa.Server other = ca.server("other.example.com", now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(2)),
        "other.example.com");
    VerifyCommandTest.Run r = verifyWith(other);
    Map<String, Object> chain = assertFails(r, "tls.chain", "discovery.fetch");
    String message = (String) chain.get("message");
    assertTrue(message.contains("certificate \"CN=other.example.com\" is for other.example.com, not for 127.0.0.1 "
        + "(also with --ca-file)"), message);
    assertFalse(message.startsWith("unable to find valid certification path"), message);
    assertTrue(((String) chain.get("fix")).contains("subject alternative names include 127.0.0.1"), chain.toString());
  }

  @Test
  void aCertificateNotYetValidSaysFromWhen() throws Exception {
    Instant now = Instant.now();
    TestCa.Server early = ca.server("oidc.test", now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), "127.0.0.1");
    Map<String, Object> chain = assertFails(verifyWith(early), "tls.chain", "discovery.fetch");
    assertTrue(((String) chain.get("message")).contains("certificate \"CN=oidc.test\" is not valid before "
        + early.chain().get(0).getNotBefore().toInstant()), chain.toString());
    assertTrue(((String) chain.get("fix")).contains("clocks"), chain.toString());
  }

  /**
   * An https URL on kubeassume's own plain-http port (no --tls-cert): the fix says the URL must be https on a TLS
   * port, not to install a public CA's certificate.
   */
  @Test
  void aPlainHttpPortBehindAnHttpsUrlSaysTheUrlMustBeHttps() throws Exception {
    int port = VerifyCommandTest.freePort();
    KubeassumeServer server = VerifyCommandTest.startServer("http://127.0.0.1:" + port, port);
    try {
      String url = "https://127.0.0.1:" + port;
      VerifyCommandTest.Run r = VerifyCommandTest.verify("--issuer-url", url, "--cloud", VerifyCommandTest.NO_PORT_CLOUDS,
          "--output", "json");
      Map<String, Object> c = assertFails(r, "discovery.fetch");
      assertEquals("discovery document not fetched: 127.0.0.1:" + port + " answered in plain http, not TLS, to "
          + url + "/.well-known/openid-configuration", c.get("message"));
      String fix = (String) c.get("fix");
      assertTrue(fix.startsWith("the issuer URL must be https on a port that speaks TLS, and this port serves plain http"), fix);
      assertFalse(fix.contains("public CA"), fix);
    } finally {
      VerifyCommandTest.stop(server);
    }
  }
}
