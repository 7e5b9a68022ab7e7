package io.kubeassume.setup.aws;

import io.kubeassume.tls.Thumbprint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.setup.SetupException;
import java.net.InetAddress;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ThumbprintTest {
  static TestCa ca;

  @BeforeAll
  static void chain() throws Exception {
    ca = new TestCa("localhost");
  }

  /** SHA-1 by another implementation (Bouncy Castle), so the test does not repeat the code under test. */
  private static String expected(X509Certificate cert) throws Exception {
    byte[] der = cert.getEncoded();
    SHA1Digest d = new SHA1Digest();
    d.update(der, 0, der.length);
    byte[] out = new byte[20];
    d.doFinal(out, 0);
    return HexFormat.of().formatHex(out);
  }

  @Test
  void isTheTopIntermediateOfTheChainTheServerSends() throws Exception {
    String t = Thumbprint.of(List.of(ca.leaf, ca.intermediate));
    assertEquals(expected(ca.intermediate), t);
    assertEquals(40, t.length());
    assertTrue(t.matches("[0-9a-f]{40}"));
  }

  @Test
  void skipsASelfSignedRootSentAtTheEnd() throws Exception {
    assertEquals(expected(ca.intermediate), Thumbprint.of(List.of(ca.leaf, ca.intermediate, ca.root)));
  }

  @Test
  void aSingleCertificateIsItsOwnThumbprint() throws Exception {
    assertEquals(expected(ca.leaf), Thumbprint.of(List.of(ca.leaf)));
    assertEquals(expected(ca.root), Thumbprint.of(List.of(ca.root)));
  }

  @Test
  void normalizesPastedFingerprints() {
    String colons = "9E:99:A4:8A:99:60:B1:49:26:BB:7F:3B:02:E2:2D:A2:B0:AB:72:80";
    assertEquals("9e99a48a9960b14926bb7f3b02e22da2b0ab7280", Thumbprint.normalize(colons));
    assertThrows(IllegalArgumentException.class, () -> Thumbprint.normalize("abc"));
  }

  @Test
  void readsTheChainOfALiveTlsServer() throws Exception {
    KeyStore server = KeyStore.getInstance("PKCS12");
    server.load(null, null);
    server.setKeyEntry("tls", ca.leafKey.getPrivate(), "pw".toCharArray(),
        new Certificate[] {ca.leaf, ca.intermediate});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(server, "pw".toCharArray());
    SSLContext serverCtx = SSLContext.getInstance("TLS");
    serverCtx.init(kmf.getKeyManagers(), null, null);

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("root", ca.root);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext clientCtx = SSLContext.getInstance("TLS");
    clientCtx.init(null, tmf.getTrustManagers(), null);

    try (SSLServerSocket listener = (SSLServerSocket) serverCtx.getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
          s.startHandshake();
          s.getInputStream().read();
        } catch (Exception ignored) {
          // the client closes after the handshake
        }
      });
      List<X509Certificate> chain = new TlsChainFetcher(clientCtx.getSocketFactory()).fetch("localhost", listener.getLocalPort());
      assertEquals(List.of(ca.leaf, ca.intermediate), chain);
      assertEquals(expected(ca.intermediate), Thumbprint.of(chain));
      served.join();
    }
  }

  @Test
  void anUntrustedChainIsOneClearError() throws Exception {
    KeyStore server = KeyStore.getInstance("PKCS12");
    server.load(null, null);
    server.setKeyEntry("tls", ca.leafKey.getPrivate(), "pw".toCharArray(),
        new Certificate[] {ca.leaf, ca.intermediate});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(server, "pw".toCharArray());
    SSLContext serverCtx = SSLContext.getInstance("TLS");
    serverCtx.init(kmf.getKeyManagers(), null, null);
    try (SSLServerSocket listener = (SSLServerSocket) serverCtx.getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
          s.startHandshake();
        } catch (Exception ignored) {
          // the client rejects the chain
        }
      });
      SetupException e = assertThrows(SetupException.class,
          () -> TlsChainFetcher.withSystemTrust().fetch("localhost", listener.getLocalPort()));
      assertTrue(e.getMessage().startsWith("cannot read the TLS certificate chain of localhost:"), e.getMessage());
      assertTrue(e.getMessage().contains("--thumbprint"), e.getMessage());
      served.join();
    }
  }
}
