package io.kubeassume.server;

import static io.kubeassume.server.TestServer.await;
import static io.kubeassume.server.TestServer.io;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import io.kubeassume.config.FleetSettings;
import io.kubeassume.config.ServeConfig;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** serve --issuers FILE: several issuers from one process, over a real socket, with the file changed under it. */
class FileFleetTest {
  private static final Duration WITHIN = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  private Path issuersFile;
  private Path stateDir;
  private RSAKey a1;
  private RSAKey b1;
  private String kidA1;
  private String kidB1;

  @BeforeEach
  void keys() throws Exception {
    issuersFile = dir.resolve("issuers.yaml");
    stateDir = dir.resolve("state");
    Files.createDirectories(dir.resolve("a"));
    Files.createDirectories(dir.resolve("b"));
    a1 = Keys.rsa();
    b1 = Keys.rsa();
    kidA1 = Keys.writePem(dir.resolve("a/sa.pub"), a1);
    kidB1 = Keys.writePem(dir.resolve("b/sa.pub"), b1);
  }

  private ServeConfig config(List<String> prefixes) {
    return ServeConfig.fleetBuilder(FleetSettings.file(issuersFile, stateDir, prefixes))
        .bind("127.0.0.1").port(0).managementPort(0).instances(1).overlap(Duration.ofHours(1)).build();
  }

  private void declare(String yaml) throws Exception {
    // Written beside and moved over, as a ConfigMap volume or an editor replaces a file.
    Path tmp = dir.resolve(".issuers.tmp");
    Files.writeString(tmp, yaml);
    Files.move(tmp, issuersFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private String entry(String name, String url, String keyDir) {
    return "  - name: " + name + "\n    issuerURL: " + url + "\n    source:\n      files: [" + dir.resolve(keyDir) + "]\n";
  }

  @Test
  void servesEveryIssuerUnderItsOwnPathAndFollowsTheFile() throws Exception {
    declare("issuers:\n" + entry("a", "http://localhost/clusters/a", "a") + entry("b", "http://localhost/clusters/b", "b"));
    try (TestServer s = TestServer.start(config(List.of()))) {
      await(WITHIN, "both issuers served", io(() -> s.jwks("/clusters/a").contains(kidA1) && s.jwks("/clusters/b").contains(kidB1)));
      JsonObject discovery = new JsonObject(s.get(s.publicUri("/clusters/b/.well-known/openid-configuration")).body());
      assertEquals("http://localhost/clusters/b", discovery.getString("issuer"), "each issuer's own discovery document");
      assertFalse(s.jwks("/clusters/a").contains(kidB1), "no issuer serves another's keys");
      assertEquals(404, s.get(s.publicUri("/openid/v1/jwks")).statusCode(), "no issuer at the root");
      assertEquals(404, s.get(s.publicUri("/clusters/c/openid/v1/jwks")).statusCode());

      // A rotation in one issuer never touches the other's bytes.
      String bBefore = s.jwks("/clusters/b");
      RSAKey a2 = Keys.rsa();
      String kidA2 = Keys.writePem(dir.resolve("a/sa2.pub"), a2);
      await(WITHIN, "a's new key served", io(() -> s.jwks("/clusters/a").contains(kidA2)));
      assertEquals(bBefore, s.jwks("/clusters/b"), "b's documents are byte for byte the same");

      // Add c, remove b, move a: the file is the truth.
      Files.createDirectories(dir.resolve("c"));
      String kidC = Keys.writePem(dir.resolve("c/sa.pub"), Keys.rsa());
      declare("issuers:\n" + entry("a", "http://localhost/clusters/a-moved", "a") + entry("c", "http://localhost/clusters/c", "c"));
      await(WITHIN, "c served, b gone, a moved", io(() -> s.get(s.publicUri("/clusters/c/openid/v1/jwks")).body().contains(kidC)
          && s.get(s.publicUri("/clusters/b/openid/v1/jwks")).statusCode() == 404
          && s.get(s.publicUri("/clusters/a-moved/openid/v1/jwks")).body().contains(kidA2)
          && s.get(s.publicUri("/clusters/a/openid/v1/jwks")).statusCode() == 404));
      await(WITHIN, "a's discovery names its new URL", io(() -> new JsonObject(
          s.get(s.publicUri("/clusters/a-moved/.well-known/openid-configuration")).body()).getString("issuer")
          .equals("http://localhost/clusters/a-moved")));
      assertFalse(Files.exists(stateDir.resolve("b.json")), "a removed issuer's state is dropped");

      String metrics = s.metrics();
      assertTrue(metrics.contains("kubeassume_active_keys{issuer=\"a\"} 2.0"), metrics);
      assertTrue(metrics.contains("kubeassume_active_keys{issuer=\"c\"} 1.0"), metrics);
      assertFalse(metrics.contains("issuer=\"b\""), "a removed issuer's series are gone");
      assertTrue(metrics.contains("kubeassume_issuers{state=\"ready\"} 2.0"), metrics);
    }
  }

  @Test
  void conflictsRefusedPrefixesAndBadEntriesAreReportedAndDisturbNobody() throws Exception {
    declare("issuers:\n"
        + entry("a", "http://localhost/clusters/a", "a")
        + entry("copy", "http://localhost/clusters/a/", "b")
        + entry("outside", "http://localhost/elsewhere/x", "b")
        + "  - name: broken\n    issuerURL: http://localhost/clusters/broken\n    source: {}\n");
    try (TestServer s = TestServer.start(config(List.of("http://localhost/clusters/")))) {
      await(WITHIN, "a served", io(() -> s.jwks("/clusters/a").contains(kidA1)));
      assertFalse(s.jwks("/clusters/a").contains(kidB1), "the newer claim of a's URL serves nothing");
      assertEquals(404, s.get(s.publicUri("/elsewhere/x/openid/v1/jwks")).statusCode());
      HttpResponse<String> ready = s.get(s.managementUri("/readyz"));
      assertEquals(200, ready.statusCode(), "bad issuers never make the replica unready: " + ready.body());
      JsonObject body = new JsonObject(ready.body());
      JsonObject counts = body.getJsonObject("issuers");
      assertEquals(1, counts.getInteger("ready"));
      assertEquals(1, counts.getInteger("conflict"));
      assertEquals(1, counts.getInteger("refused"));
      assertEquals(1, counts.getInteger("invalid"));
      String problems = body.getJsonArray("notReady").encode();
      assertTrue(problems.contains("IssuerConflict") && problems.contains("already served for a"), problems);
      assertTrue(problems.contains("IssuerURLNotAllowed"), problems);
      assertTrue(problems.contains("issuers[3].source: give exactly one of files"), problems);
    }
  }

  @Test
  void aPrivateKeyInOneIssuerKeepsItsLastGoodDocumentsAndTheOthersServing() throws Exception {
    declare("issuers:\n" + entry("a", "http://localhost/clusters/a", "a") + entry("b", "http://localhost/clusters/b", "b"));
    try (TestServer s = TestServer.start(config(List.of()))) {
      await(WITHIN, "both served", io(() -> s.jwks("/clusters/a").contains(kidA1) && s.jwks("/clusters/b").contains(kidB1)));
      String aBefore = s.jwks("/clusters/a");
      Files.writeString(dir.resolve("a/sa.key"), "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");
      await(WITHIN, "a's error counted", io(() -> s.metrics().contains("kubeassume_source_up{issuer=\"a\"} 0.0")));
      assertEquals(aBefore, s.jwks("/clusters/a"), "a keeps its last good documents");
      assertTrue(s.jwks("/clusters/b").contains(kidB1));
      assertTrue(s.metrics().contains("kubeassume_source_up{issuer=\"b\"} 1.0"));
    }
  }

  @Test
  void aRestartKeepsEachIssuersRetiredKeysFromTheStateDirectory() throws Exception {
    declare("issuers:\n" + entry("a", "http://localhost/clusters/a", "a"));
    try (TestServer s = TestServer.start(config(List.of()))) {
      await(WITHIN, "a served", io(() -> s.jwks("/clusters/a").contains(kidA1)));
    }
    Files.delete(dir.resolve("a/sa.pub"));
    String kidA2 = Keys.writePem(dir.resolve("a/sa2.pub"), Keys.rsa());
    try (TestServer s = TestServer.start(config(List.of()))) {
      await(WITHIN, "the new key served next to the retired one", io(() -> {
        String jwks = s.jwks("/clusters/a");
        return jwks.contains(kidA2) && jwks.contains(kidA1);
      }));
    }
  }

  @Test
  void aBrokenFileKeepsTheIssuersServedAndSaysSo() throws Exception {
    declare("issuers:\n" + entry("a", "http://localhost/clusters/a", "a"));
    try (TestServer s = TestServer.start(config(List.of()))) {
      await(WITHIN, "a served", io(() -> s.jwks("/clusters/a").contains(kidA1)));
      declare("issuers: [this is: not, valid");
      await(WITHIN, "/readyz names the file's problem", io(() -> new JsonObject(s.get(s.managementUri("/readyz")).body())
          .getJsonObject("source").containsKey("lastError")));
      assertTrue(s.jwks("/clusters/a").contains(kidA1), "still serving what the file declared before");
      assertEquals(200, s.get(s.managementUri("/readyz")).statusCode());
    }
  }

  @Test
  void issuersOnOnePathAreToldApartByTheHostHeader() throws Exception {
    declare("issuers:\n" + entry("a", "http://localhost/clusters/x", "a") + entry("b", "http://127.0.0.1/clusters/x", "b"));
    try (TestServer s = TestServer.start(config(List.of()))) {
      await(WITHIN, "both served by host", io(() -> fetch(s, "localhost").contains(kidA1) && fetch(s, "127.0.0.1").contains(kidB1)));
      assertFalse(fetch(s, "localhost").contains(kidB1));
      assertTrue(fetch(s, "elsewhere.example.com").startsWith("HTTP/1.1 404"), "an unknown host on a shared path is not found");
    }
  }

  /** The JWKS of /clusters/x with this Host header, as raw HTTP/1.1 (java.net.http will not set Host). */
  private static String fetch(TestServer s, String host) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", s.server.publicPort())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(("GET /clusters/x/openid/v1/jwks HTTP/1.1\r\nHost: " + host
          + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }
}
