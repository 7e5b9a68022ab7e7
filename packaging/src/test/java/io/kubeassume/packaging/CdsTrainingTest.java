package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * packaging/cds-train.sh, which the image runs: it writes a class archive for the packaged jar, and
 * a server started with that archive and -Xshare:on (which refuses to start if the archive cannot
 * be used) serves the documents.
 */
class CdsTrainingTest {
  @TempDir
  Path dir;

  @Test
  void theTrainedArchiveIsUsableByTheServer() throws Exception {
    Path jar = Repo.root().resolve("server/target/kubeassume.jar");
    assertTrue(Files.isRegularFile(jar), "the server module packages " + jar + " before this module's tests");
    Path archive = dir.resolve("kubeassume.jsa");
    Process train = new ProcessBuilder("bash", Repo.root().resolve("packaging/cds-train.sh").toString(), jar.toString(),
        archive.toString()).redirectErrorStream(true).start();
    String trainOutput = new String(train.getInputStream().readAllBytes());
    assertTrue(train.waitFor(120, TimeUnit.SECONDS), trainOutput);
    assertEquals(0, train.exitValue(), trainOutput);
    assertTrue(Files.size(archive) > 1_000_000, "an archive of the loaded classes: " + Files.size(archive) + " bytes");

    int port = freePort();
    Path key = Repo.root().resolve("certs/dev/sa.pub");
    Process server = new ProcessBuilder("java", "-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-jar", jar.toString(),
        "serve", "--source", "files", "--keys", key.toString(), "--issuer-url", "http://localhost:" + port,
        "--bind", "127.0.0.1", "--port", Integer.toString(port), "--management-port", "0")
        .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      int status = -1;
      while (System.nanoTime() < deadline && server.isAlive()) {
        try {
          status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/openid/v1/jwks")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode();
          if (status == 200) {
            break;
          }
        } catch (IOException notYet) {
          // still starting
        }
        Thread.sleep(50);
      }
      assertEquals(200, status, "served with the archive mapped (-Xshare:on); log: "
          + String.join("\n", List.of(Files.readString(dir.resolve("server.log")))));
    } finally {
      server.destroy();
      server.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
