package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key files change under a running server: the change is served within 2 seconds, retired keys
 * stay for the overlap window, and nothing needs a restart.
 */
class KeyRotationTest {
  static final Duration PICKUP = Duration.ofSeconds(2);

  @TempDir
  Path dir;

  @Test
  void addedReplacedAndRemovedKeyFilesAreServedWithinTwoSecondsAndRetiredKeysExpireAfterTheOverlap() throws Exception {
    RSAKey a = Keys.rsa();
    RSAKey b = Keys.rsa();
    String kidA = Keys.writePem(dir.resolve("a.pub"), a);
    try (TestServer t = TestServer.start(TestServer.config("http://localhost", List.of(dir)).overlap(Duration.ofSeconds(3)).build())) {
      TestServer.await(Duration.ofSeconds(10), "key a served", TestServer.io(() -> t.jwks().contains(kidA)));

      String kidB = Keys.writePem(dir.resolve("b.pub"), b);
      TestServer.await(PICKUP, "added key b served", TestServer.io(() -> t.jwks().contains(kidB) && t.jwks().contains(kidA)));

      Files.delete(dir.resolve("a.pub"));
      TestServer.await(PICKUP, "removal of a noticed", TestServer.io(() -> t.metric("kubeassume_rotation_total{type=\"key_retired\"}") == 1));
      assertTrue(t.jwks().contains(kidA), "retired key a is still served inside the overlap window");
      TestServer.await(Duration.ofSeconds(6), "retired key a expires after the overlap", TestServer.io(() -> !t.jwks().contains(kidA)));
      assertTrue(t.jwks().contains(kidB));
      assertEquals(1.0, t.metric("kubeassume_rotation_total{type=\"key_expired\"}"));
      assertEquals(1.0, t.metric("kubeassume_active_keys"));
      assertTrue(Double.isNaN(t.metric("kubeassume_next_key_removal_timestamp_seconds")), "no retired key is left");

      // Replacing a file's content in place is a rotation too.
      RSAKey c = Keys.rsa();
      String kidC = Keys.writePem(dir.resolve("b.pub"), c);
      TestServer.await(PICKUP, "replaced key c served", TestServer.io(() -> t.jwks().contains(kidC)));
      assertTrue(t.jwks().contains(kidB), "the replaced key b stays for the overlap window");
    }
  }

  @Test
  void whileAKeyIsRetiredTheMetricsSayWhenItLeaves() throws Exception {
    String kidA = Keys.writePem(dir.resolve("a.pub"), Keys.rsa());
    String kidB = Keys.writePem(dir.resolve("b.pub"), Keys.rsa());
    Duration overlap = Duration.ofHours(6);
    try (TestServer t = TestServer.start(TestServer.config("http://localhost", List.of(dir)).overlap(overlap).build())) {
      TestServer.await(Duration.ofSeconds(10), "keys a and b served", TestServer.io(() -> t.jwks().contains(kidA) && t.jwks().contains(kidB)));
      assertEquals(21600.0, t.metric("kubeassume_overlap_seconds"));
      assertTrue(Double.isNaN(t.metric("kubeassume_next_key_removal_timestamp_seconds")), "no key is retired yet");

      double before = System.currentTimeMillis() / 1000.0;
      Files.delete(dir.resolve("a.pub"));
      TestServer.await(PICKUP, "removal of a noticed", TestServer.io(() -> t.metric("kubeassume_rotation_total{type=\"key_retired\"}") == 1));
      double after = System.currentTimeMillis() / 1000.0;
      double removal = t.metric("kubeassume_next_key_removal_timestamp_seconds");
      assertTrue(removal >= before + overlap.toSeconds() - 0.001 && removal <= after + overlap.toSeconds() + 0.001,
          () -> "a leaves the JWKS one overlap after it left the source: " + removal + " not in [" + (before + 21600) + ", "
              + (after + 21600) + "]");
      assertTrue(t.jwks().contains(kidA), "and until then it is served");
    }
  }

  @Test
  void aKubernetesSecretVolumeSymlinkSwapIsPickedUp() throws Exception {
    // The layout kubelet writes: key -> ..data/key, ..data -> ..<timestamp>/, swapped by renaming a new ..data link.
    Path v1 = Files.createDirectory(dir.resolve("..2026_11_22_10_00_00.1"));
    RSAKey first = Keys.rsa();
    String kidFirst = Keys.writePem(v1.resolve("sa.pub"), first);
    Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
    Files.createSymbolicLink(dir.resolve("sa.pub"), Path.of("..data/sa.pub"));

    try (TestServer t = TestServer.start(TestServer.config("http://localhost", List.of(dir.resolve("sa.pub"))).build())) {
      TestServer.await(Duration.ofSeconds(10), "first key served", TestServer.io(() -> t.jwks().contains(kidFirst)));

      Path v2 = Files.createDirectory(dir.resolve("..2026_11_22_11_00_00.2"));
      RSAKey second = Keys.rsa();
      String kidSecond = Keys.writePem(v2.resolve("sa.pub"), second);
      Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
      Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.delete(v1.resolve("sa.pub"));
      Files.delete(v1);

      TestServer.await(PICKUP, "swapped key served", TestServer.io(() -> t.jwks().contains(kidSecond)));
      assertTrue(t.jwks().contains(kidFirst), "the previous key is retired, not dropped");
      assertFalse(t.server.health().report().failing() != null, "the swap caused no sync error");
    }
  }

  @Test
  void dotFilesInADirectoryAreIgnored() throws Exception {
    RSAKey a = Keys.rsa();
    String kidA = Keys.writePem(dir.resolve("a.pub"), a);
    Keys.write(dir.resolve(".hidden"), "not a key");
    try (TestServer t = TestServer.start(TestServer.config("http://localhost", List.of(dir)).build())) {
      TestServer.await(Duration.ofSeconds(10), "key a served", TestServer.io(() -> t.jwks().contains(kidA)));
      assertEquals(0.0, t.metric("kubeassume_sync_total{source=\"files\",status=\"error\"}"));
    }
  }
}
