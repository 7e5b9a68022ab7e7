package io.kubeassume.server;

import static io.kubeassume.server.TestServer.await;
import static io.kubeassume.server.TestServer.io;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.config.ConfigException;
import io.kubeassume.config.TlsFiles;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --tls-cert/--tls-key: the public port over https with the dev certificate, HTTP/2 and HSTS, and
 * a certificate renewed the way a Secret volume renews it (an atomic symlink swap) served without
 * a restart.
 */
class TlsServerTest {
  static final Path DEV_TLS = TestServer.repoFile("certs/dev/tls");

  @TempDir
  Path dir;

  private Path mounted;

  /** Lays the dev certificate out like a Secret volume: tls.crt → ..data/tls.crt, ..data → a versioned directory. */
  @BeforeEach
  void mountDevCertificate() throws Exception {
    mounted = dir.resolve("tls");
    Files.createDirectories(mounted);
    Path version = Files.createDirectory(mounted.resolve("..v1"));
    Files.copy(DEV_TLS.resolve("tls.crt"), version.resolve("tls.crt"));
    Files.copy(DEV_TLS.resolve("tls.key"), version.resolve("tls.key"));
    Files.createSymbolicLink(mounted.resolve("..data"), Path.of("..v1"));
    Files.createSymbolicLink(mounted.resolve("tls.crt"), Path.of("..data/tls.crt"));
    Files.createSymbolicLink(mounted.resolve("tls.key"), Path.of("..data/tls.key"));
  }

  private TestServer start() throws Exception {
    return TestServer.startServing(TestServer.config("https://localhost", List.of(TestServer.DEV_PUBLIC_KEY))
        .tls(new TlsFiles(mounted.resolve("tls.crt"), mounted.resolve("tls.key")))
        .tlsReloadInterval(Duration.ofMillis(200))
        .build());
  }

  @Test
  void servesBothDocumentsOverHttpsWithHttp2AndHsts() throws Exception {
    try (TestServer s = start()) {
      HttpClient client = clientTrusting(DEV_TLS.resolve("ca.crt"));
      for (String path : List.of("/.well-known/openid-configuration", "/openid/v1/jwks")) {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(https(s, path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path);
        assertEquals(HttpClient.Version.HTTP_2, r.version(), "ALPN offers h2");
        assertEquals("max-age=31536000", r.headers().firstValue("strict-transport-security").orElseThrow());
        assertEquals(s.get(s.managementUri("/readyz")).statusCode(), 200);
      }
      HttpResponse<String> jwks = client.send(HttpRequest.newBuilder(https(s, "/openid/v1/jwks")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertTrue(jwks.body().contains(Files.readString(TestServer.repoFile("certs/dev/sa.kid")).strip()));
      JsonObject tls = new JsonObject(s.get(s.managementUri("/readyz")).body()).getJsonObject("tls");
      assertEquals(fingerprint(DEV_TLS.resolve("tls.crt")), tls.getString("sha256"));
      assertTrue(tls.getString("subject").contains("CN=localhost"));
    }
  }

  @Test
  void aPlainHttpRequestToTheTlsPortGetsNoDocument() throws Exception {
    try (TestServer s = start()) {
      assertThrows(IOException.class, () -> s.get(URI.create("http://127.0.0.1:" + s.server.publicPort() + "/openid/v1/jwks")));
    }
  }

  @Test
  void aRenewedCertificateIsServedWithoutRestart() throws Exception {
    Path renewed = dir.resolve("renewed");
    makeDevTls(renewed);
    try (TestServer s = start()) {
      HttpClient oldTrust = clientTrusting(DEV_TLS.resolve("ca.crt"));
      HttpClient newTrust = clientTrusting(renewed.resolve("ca.crt"));
      assertEquals(200, oldTrust.send(HttpRequest.newBuilder(https(s, "/openid/v1/jwks")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode());
      assertThrows(SSLHandshakeException.class, () -> newTrust.send(HttpRequest.newBuilder(https(s, "/openid/v1/jwks")).build(),
          HttpResponse.BodyHandlers.discarding()));

      swapSecretVolume(renewed, "..v2");

      String renewedFingerprint = fingerprint(renewed.resolve("tls.crt"));
      await(Duration.ofSeconds(10), "the renewed certificate is served", io(() -> {
        HttpResponse<String> r = freshClientTrusting(renewed.resolve("ca.crt"))
            .send(HttpRequest.newBuilder(https(s, "/openid/v1/jwks")).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 && r.sslSession().map(TlsServerTest::leafFingerprint).orElse("").equals(renewedFingerprint);
      }));
      assertEquals(renewedFingerprint, new JsonObject(s.get(s.managementUri("/readyz")).body()).getJsonObject("tls").getString("sha256"));
      assertEquals(1.0, s.metric("kubeassume_tls_reloads_total{result=\"reloaded\"}"));
    }
  }

  @Test
  void aBrokenRenewalKeepsTheOldCertificateAndIsReported() throws Exception {
    try (TestServer s = start()) {
      String original = fingerprint(DEV_TLS.resolve("tls.crt"));
      // A key that does not belong to the certificate: a half-finished renewal.
      Path broken = dir.resolve("broken");
      makeDevTls(broken);
      Files.copy(DEV_TLS.resolve("tls.crt"), broken.resolve("tls.crt"), StandardCopyOption.REPLACE_EXISTING);
      swapSecretVolume(broken, "..v2");

      await(Duration.ofSeconds(10), "the failed reload shows on /readyz", io(() ->
          new JsonObject(s.get(s.managementUri("/readyz")).body()).getJsonObject("tls").containsKey("lastError")));
      JsonObject ready = new JsonObject(s.get(s.managementUri("/readyz")).body());
      assertTrue(ready.getBoolean("ready"), "a failed reload does not make the server unready");
      assertTrue(ready.getJsonObject("tls").getJsonObject("lastError").getString("message").contains("is not the key of"),
          ready.encodePrettily());
      assertTrue(s.metric("kubeassume_tls_reloads_total{result=\"error\"}") >= 1.0);
      HttpResponse<String> r = freshClientTrusting(DEV_TLS.resolve("ca.crt"))
          .send(HttpRequest.newBuilder(https(s, "/openid/v1/jwks")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertEquals(original, r.sslSession().map(TlsServerTest::leafFingerprint).orElseThrow());
    }
  }

  @Test
  void aKeyThatIsNotTheCertificatesStopsStartUpNamingBothFiles() throws Exception {
    Path other = dir.resolve("other");
    makeDevTls(other);
    ExecutionException e = assertThrows(ExecutionException.class, () -> io.kubeassume.server.KubeassumeServer.start(
        TestServer.config("https://localhost", List.of(TestServer.DEV_PUBLIC_KEY))
            .tls(new TlsFiles(DEV_TLS.resolve("tls.crt"), other.resolve("tls.key"))).build())
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof ConfigException, e.toString());
    assertTrue(e.getCause().getMessage().startsWith("--tls-cert/--tls-key: " + other.resolve("tls.key") + " is not the key of"),
        e.getCause().getMessage());
  }

  /** Writes new files into a new version directory and swaps ..data to it, as the kubelet does. */
  private void swapSecretVolume(Path from, String version) throws IOException {
    Path target = Files.createDirectory(mounted.resolve(version));
    Files.copy(from.resolve("tls.crt"), target.resolve("tls.crt"));
    Files.copy(from.resolve("tls.key"), target.resolve("tls.key"));
    Path link = mounted.resolve("..data_tmp");
    Files.createSymbolicLink(link, Path.of(version));
    Files.move(link, mounted.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void makeDevTls(Path out) throws Exception {
    Process p = new ProcessBuilder("bash", TestServer.repoFile("certs/make-dev-tls.sh").toString(), out.toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), output);
  }

  private static URI https(TestServer s, String path) {
    return URI.create("https://localhost:" + s.server.publicPort() + path);
  }

  /** A client that trusts only {@code ca}; a new one per call so no pooled connection hides a new certificate. */
  private static HttpClient freshClientTrusting(Path ca) throws Exception {
    return clientTrusting(ca);
  }

  private static HttpClient clientTrusting(Path ca) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(ca)) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    // Generous: the handshake counts against the connect timeout, and CI machines can be busy.
    return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(30)).build();
  }

  private static String fingerprint(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return fingerprint((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
  }

  private static String leafFingerprint(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      return fingerprint((X509Certificate) chain[0]);
    } catch (Exception e) {
      return "";
    }
  }

  private static String fingerprint(X509Certificate cert) throws Exception {
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
  }
}
