package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input leaves the served bytes untouched, is counted, and shows on /readyz;
 * removing it recovers.
 */
class BadInputTest {
  @TempDir
  static Path dir;
  static TestServer t;
  static String goodKid;

  @BeforeAll
  static void start() throws Exception {
    goodKid = Keys.writePem(dir.resolve("good.pub"), Keys.rsa());
    t = TestServer.start(TestServer.config("http://localhost", List.of(dir)).build());
    TestServer.await(Duration.ofSeconds(10), "good key served", TestServer.io(() -> t.jwks().contains(goodKid)));
  }

  @AfterAll
  static void stop() throws Exception {
    t.close();
  }

  static Stream<Arguments> badInputs() throws Exception {
    RSAKey privateRsa = new RSAKeyGenerator(2048).keyID("leak").generate();
    String pkcs8 = new String(Files.readAllBytes(TestServer.DEV_PRIVATE_KEY));
    java.security.KeyPairGenerator small = java.security.KeyPairGenerator.getInstance("RSA");
    small.initialize(1024);
    return Stream.of(
        Arguments.of("private-key.pem", pkcs8, "private key"),
        Arguments.of("private-jwk.json", "{\"keys\":[" + privateRsa.toJSONString() + "]}", "private member"),
        Arguments.of("weak.pub", Keys.pem(small.generateKeyPair().getPublic()), "too weak"),
        Arguments.of("hmac.json", "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"c2VjcmV0\"}]}", "private member \"k\""),
        Arguments.of("alg.json", "{\"keys\":[" + privateRsa.toPublicJWK().toJSONString().replace("}", ",\"alg\":\"HS256\"}") + "]}", "HS256"),
        Arguments.of("enc.json", "{\"keys\":[" + privateRsa.toPublicJWK().toJSONString().replace("}", ",\"use\":\"enc\"}") + "]}", "\"use\""),
        Arguments.of("reused-kid.json", "{\"keys\":[" + privateRsa.toPublicJWK().toJSONString().replace("\"leak\"", "\"" + goodKid + "\"") + "]}", "also used by a different key"),
        Arguments.of("garbage.pub", "hello", "neither PEM nor JWKS"),
        // 2 MiB of BEGIN lines: refused by size after reading 1 MiB + 1 byte, never parsed.
        Arguments.of("huge.pub", "-----BEGIN PUBLIC KEY-----\n".repeat(2 * 1024 * 1024 / 27 + 1), "is larger than 1 MiB"),
        // Under the cap, the same pathological PEM is one clear error in milliseconds.
        Arguments.of("unterminated.pub", "-----BEGIN PUBLIC KEY-----\n".repeat(512 * 1024 / 27),
            "has no -----END PUBLIC KEY----- line"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputNeverReachesTheDocumentsAndIsReported(String file, String content, String reason) throws Exception {
    String jwksBefore = t.jwks();
    String discoveryBefore = t.get(t.publicUri("/.well-known/openid-configuration")).body();
    double errorsBefore = t.metric("kubeassume_sync_total{source=\"files\",status=\"error\"}");
    Path bad = dir.resolve(file);
    Files.writeString(bad, content);
    try {
      TestServer.await(Duration.ofSeconds(5), "error counted", TestServer.io(
          () -> t.metric("kubeassume_sync_total{source=\"files\",status=\"error\"}") > errorsBefore));
      assertEquals(jwksBefore, t.jwks(), "JWKS bytes unchanged");
      assertEquals(discoveryBefore, t.get(t.publicUri("/.well-known/openid-configuration")).body());
      assertTrue(!t.jwks().contains("\"d\"") && !t.jwks().contains("\"k\""), "no private member is ever served");

      HttpResponse<String> ready = t.get(t.managementUri("/readyz"));
      assertEquals(200, ready.statusCode(), "still ready: the last good documents are served");
      Map<String, Object> source = JSONObjectUtils.getJSONObject(JSONObjectUtils.parse(ready.body()), "source");
      assertEquals(false, source.get("healthy"));
      String error = (String) JSONObjectUtils.getJSONObject(source, "lastError").get("message");
      assertTrue(error.contains(bad.toString()), "error names the file: " + error);
      assertTrue(error.contains(reason), "error says why (" + reason + "): " + error);
      assertEquals(0.0, t.metric("kubeassume_source_up{source=\"files\"}"));
    } finally {
      Files.delete(bad);
    }
    TestServer.await(Duration.ofSeconds(5), "recovered", TestServer.io(() -> t.metric("kubeassume_source_up{source=\"files\"}") == 1.0));
    assertEquals(jwksBefore, t.jwks());
  }

  /**
   * A FIFO or a device in the key directory (a key file replaced by one) is refused without being
   * opened: opening a FIFO waits for a writer for ever, a device never ends. Not skipped either,
   * since skipping would silently retire the key it replaced.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("nonRegularFiles")
  void aFifoOrADeviceInTheKeyDirectoryIsRefusedAndSyncingGoesOn(String kind, NonRegular make) throws Exception {
    String jwksBefore = t.jwks();
    double errorsBefore = t.metric("kubeassume_sync_total{source=\"files\",status=\"error\"}");
    Path bad = make.at(dir.resolve("sa-" + kind.replace(' ', '-') + ".pub"));
    try {
      TestServer.await(Duration.ofSeconds(5), "error on /readyz", TestServer.io(() -> {
        Object error = JSONObjectUtils.getJSONObject(readySource(), "lastError");
        return error != null && ((Map<?, ?>) error).get("message").toString().contains(bad.toString())
            && t.metric("kubeassume_sync_total{source=\"files\",status=\"error\"}") > errorsBefore;
      }));
      Map<String, Object> source = readySource();
      assertEquals(false, source.get("healthy"));
      String error = (String) JSONObjectUtils.getJSONObject(source, "lastError").get("message");
      assertTrue(error.contains(bad + " (in the --keys directory " + dir + ") is " + kind + ", not a key file"), error);
      assertEquals(jwksBefore, t.jwks(), "JWKS bytes unchanged");
      assertEquals(200, t.get(t.managementUri("/readyz")).statusCode(), "still ready: the last good documents are served");
    } finally {
      Files.delete(bad);
    }
    TestServer.await(Duration.ofSeconds(5), "recovered", TestServer.io(() -> t.metric("kubeassume_source_up{source=\"files\"}") == 1.0));
    assertEquals(jwksBefore, t.jwks());
  }

  interface NonRegular {
    Path at(Path file) throws Exception;
  }

  static Stream<Arguments> nonRegularFiles() {
    return Stream.of(
        Arguments.of("a FIFO (named pipe)", (NonRegular) Keys::mkfifo),
        Arguments.of("a character device", (NonRegular) file -> Files.createSymbolicLink(file, Path.of("/dev/zero"))),
        Arguments.of("a socket", (NonRegular) file -> {
          // The socket file stays after the channel is closed.
          try (java.nio.channels.ServerSocketChannel socket = java.nio.channels.ServerSocketChannel.open(
              java.net.StandardProtocolFamily.UNIX)) {
            socket.bind(java.net.UnixDomainSocketAddress.of(file));
          }
          return file;
        }));
  }

  static Map<String, Object> readySource() throws Exception {
    return JSONObjectUtils.getJSONObject(JSONObjectUtils.parse(t.get(t.managementUri("/readyz")).body()), "source");
  }

  /** Nothing stored and no valid key: start-up stops with the reason (serve exits 1), instead of answering 503 for ever. */
  @Test
  void withoutAnyGoodKeyAndNothingStoredStartUpStopsAndSaysWhy(@TempDir Path empty) throws Exception {
    Files.writeString(empty.resolve("sa.key"), new String(Files.readAllBytes(TestServer.DEV_PRIVATE_KEY)));
    java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> TestServer.start(TestServer.config("http://localhost",
            List.of(empty)).build()));
    assertTrue(e.getCause() instanceof StartupKeys.NoValidKeysException, e.toString());
    assertEquals("no valid key to serve in --keys and no stored state: " + empty.resolve("sa.key") + ": contains a private key "
        + "(PRIVATE KEY); kubeassume publishes public keys only: mount the public half, e.g. 'openssl pkey -in "
        + empty.resolve("sa.key") + " -pubout -out " + empty.resolve("sa.pub") + "'", e.getCause().getMessage());

    Files.delete(empty.resolve("sa.key"));
    java.util.concurrent.ExecutionException none = org.junit.jupiter.api.Assertions.assertThrows(
        java.util.concurrent.ExecutionException.class, () -> TestServer.start(TestServer.config("http://localhost",
            List.of(empty)).build()));
    assertTrue(none.getCause().getMessage().startsWith("no valid key to serve in --keys and no stored state: no key files "
        + "found in --keys"), none.getCause().getMessage());
  }
}
