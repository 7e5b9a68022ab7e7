package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A --keys file swapped at run time for something that is not a regular file. Before, a FIFO
 * blocked the key read for ever (a worker stuck in open(2), every later sync queued behind the
 * running one, /readyz healthy with a frozen last sync) and /dev/zero was read until memory ran out.
 */
class NonRegularKeyFileTest {
  static final Duration WITHIN = Duration.ofSeconds(10);

  @TempDir
  Path dir;

  static JsonObject readySource(TestServer t) throws Exception {
    return new JsonObject(t.get(t.managementUri("/readyz")).body()).getJsonObject("source");
  }

  /** Replaces {@code target} in one rename, as kubelet and careful operators do: the watcher sees one change. */
  static void swapIn(Path replacement, Path target) throws Exception {
    Files.move(replacement, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void aKeyFileSwappedForAFifoIsRefusedAndAValidFileAfterItIsServed() throws Exception {
    Path key = dir.resolve("sa.pub");
    String kidA = Keys.writePem(key, Keys.rsa());
    try (TestServer t = TestServer.start(TestServer.config("http://localhost", List.of(key)).build())) {
      TestServer.await(WITHIN, "key a served", TestServer.io(() -> t.jwks().contains(kidA)));
      String jwksBefore = t.jwks();
      double errorsBefore = t.metric("kubeassume_sync_total{source=\"files\",status=\"error\"}");

      swapIn(Keys.mkfifo(dir.resolve(".sa.pub.fifo")), key);
      TestServer.await(WITHIN, "the FIFO is refused on /readyz", TestServer.io(() -> {
        JsonObject error = readySource(t).getJsonObject("lastError");
        return error != null && error.getString("message").contains("FIFO");
      }));
      JsonObject source = readySource(t);
      assertEquals(false, source.getBoolean("healthy"));
      assertEquals(key + " (named by --keys) is a FIFO (named pipe), not a key file; replace it with the public key "
          + "file (e.g. sa.pub), or name a directory of key files", source.getJsonObject("lastError").getString("message"));
      assertTrue(t.metric("kubeassume_sync_total{source=\"files\",status=\"error\"}") > errorsBefore, "the failure is counted");
      assertEquals(0.0, t.metric("kubeassume_source_up{source=\"files\"}"));
      assertEquals(jwksBefore, t.jwks(), "the last good documents are still served, byte for byte");
      HttpResponse<String> ready = t.get(t.managementUri("/readyz"));
      assertEquals(200, ready.statusCode(), ready.body());

      // Syncing goes on: a valid file put in the FIFO's place is read and served.
      Path next = dir.resolve(".sa.pub.next");
      String kidB = Keys.writePem(next, Keys.rsa());
      swapIn(next, key);
      TestServer.await(WITHIN, "the replacement key is served", TestServer.io(() -> t.jwks().contains(kidB)));
      assertTrue(t.jwks().contains(kidA), "the key the FIFO replaced is retired, still served for the overlap");
      TestServer.await(WITHIN, "the source is healthy again", TestServer.io(() -> readySource(t).getBoolean("healthy")));
    }
  }

  @Test
  void aKeyFileSwappedForALinkToDevZeroIsRefusedWithoutReadingIt() throws Exception {
    Path key = dir.resolve("sa.pub");
    String kidA = Keys.writePem(key, Keys.rsa());
    try (TestServer t = TestServer.start(TestServer.config("http://localhost", List.of(key)).build())) {
      TestServer.await(WITHIN, "key a served", TestServer.io(() -> t.jwks().contains(kidA)));
      String jwksBefore = t.jwks();

      Path link = Files.createSymbolicLink(dir.resolve(".sa.pub.link"), Path.of("/dev/zero"));
      swapIn(link, key);
      TestServer.await(WITHIN, "the device is refused on /readyz", TestServer.io(() -> {
        JsonObject error = readySource(t).getJsonObject("lastError");
        return error != null && error.getString("message").contains(key + " (named by --keys) is a character device");
      }));
      assertEquals(jwksBefore, t.jwks());

      Path next = dir.resolve(".sa.pub.next");
      String kidB = Keys.writePem(next, Keys.rsa());
      swapIn(next, key);
      TestServer.await(WITHIN, "the replacement key is served", TestServer.io(() -> t.jwks().contains(kidB)));
      TestServer.await(WITHIN, "the source is healthy again", TestServer.io(() -> readySource(t).getBoolean("healthy")));
    }
  }
}
