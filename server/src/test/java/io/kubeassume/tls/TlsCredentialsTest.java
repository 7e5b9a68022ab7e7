package io.kubeassume.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.config.TlsFiles;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsCredentialsTest {
  static Vertx vertx;
  static Path devTls;

  @TempDir
  Path dir;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    Path p = Path.of("").toAbsolutePath();
    while (!Files.exists(p.resolve("certs/dev/tls"))) {
      p = p.getParent();
    }
    devTls = p.resolve("certs/dev/tls");
  }

  @AfterAll
  static void tearDown() {
    vertx.close();
  }

  @Test
  void theDevPairLoadsWithItsSubjectExpiryAndFingerprint() throws Exception {
    TlsCredentials c = TlsCredentials.read(new TlsFiles(devTls.resolve("tls.crt"), devTls.resolve("tls.key")), vertx);
    assertEquals("CN=localhost", c.subject());
    assertTrue(c.notAfter().isAfter(java.time.Instant.now()));
    assertEquals(32 * 3 - 1, c.fingerprint().length(), "hex SHA-256 with colons");
    TlsCredentials again = TlsCredentials.read(new TlsFiles(devTls.resolve("tls.crt"), devTls.resolve("tls.key")), vertx);
    assertTrue(c.sameAs(again));
  }

  @Test
  void aKeyFileWithACertificateInItIsNamed() throws Exception {
    InvalidTlsCredentialsException e = assertThrows(InvalidTlsCredentialsException.class, () ->
        TlsCredentials.read(new TlsFiles(devTls.resolve("tls.crt"), devTls.resolve("tls.crt")), vertx));
    assertEquals(devTls.resolve("tls.crt") + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)", e.getMessage());
  }

  @Test
  void aCertificateFileWithoutACertificateIsNamed() throws Exception {
    Path empty = Files.writeString(dir.resolve("tls.crt"), "not a certificate\n");
    InvalidTlsCredentialsException e = assertThrows(InvalidTlsCredentialsException.class, () ->
        TlsCredentials.read(new TlsFiles(empty, devTls.resolve("tls.key")), vertx));
    assertTrue(e.getMessage().startsWith(empty + " holds no PEM certificate"), e.getMessage());
  }

  @Test
  void aTruncatedCertificateDoesNotLoad() throws Exception {
    String pem = Files.readString(devTls.resolve("tls.crt"));
    Path truncated = Files.writeString(dir.resolve("tls.crt"), pem.substring(0, pem.length() / 3));
    InvalidTlsCredentialsException e = assertThrows(InvalidTlsCredentialsException.class, () ->
        TlsCredentials.read(new TlsFiles(truncated, devTls.resolve("tls.key")), vertx));
    assertTrue(e.getMessage().startsWith("cannot load " + truncated), e.getMessage());
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("absent.key");
    InvalidTlsCredentialsException e = assertThrows(InvalidTlsCredentialsException.class, () ->
        TlsCredentials.read(new TlsFiles(devTls.resolve("tls.crt"), missing), vertx));
    assertTrue(e.getMessage().startsWith("cannot read " + missing), e.getMessage());
    assertFalse(e.getMessage().contains("BEGIN"));
  }
}
