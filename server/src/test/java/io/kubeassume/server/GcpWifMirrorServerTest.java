package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.config.ServeConfig;
import io.kubeassume.gcp.FakeIam;
import io.kubeassume.gcp.FakeGcp;
import io.kubeassume.gcp.ProviderRevision;
import io.kubeassume.gcp.UploadedJwks;
import io.kubeassume.mirror.MirrorLocation;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server with {@code --source files --mirror gcp-wif://...} against {@link FakeIam}: the provider's
 * uploaded JWKS follows a rotation (a key added, then retired), keeps the retired key for the whole overlap, and
 * /readyz and the metrics show the target. Credentials: a workload identity federation credential configuration
 * through google-auth's default chain (GOOGLE_APPLICATION_CREDENTIALS as a system property), exchanged at
 * {@link FakeSts}.
 */
class GcpWifMirrorServerTest {
  static final Duration WITHIN = Duration.ofSeconds(20);
  static final Duration OVERLAP = Duration.ofSeconds(3);
  static final String ISSUER = "http://localhost";
  static final String NAME = FakeGcp.PROVIDER;
  static final String TARGET = FakeGcp.TARGET;

  @TempDir
  Path dir;
  @TempDir
  Path credentials;
  FakeGcp gcp;
  FakeIam iam;

  @BeforeEach
  void start() throws Exception {
    gcp = FakeGcp.start(credentials, ISSUER);
    iam = gcp.iam;
    iam.pollsUntilDone = 2;
  }

  @AfterEach
  void stop() throws Exception {
    gcp.close();
  }

  private ServeConfig config() {
    return TestServer.config(ISSUER, List.of(dir))
        .mirrors(List.of(MirrorLocation.parse(TARGET)))
        .gcpIamEndpoint(iam.endpoint())
        .overlap(OVERLAP)
        // Long: every publish here comes from a change of the served keys, not from the resync timer.
        .mirrorResync(Duration.ofHours(1))
        .build();
  }

  private Set<String> uploaded() {
    List<Map<String, Object>> keys = iam.uploaded(NAME);
    return keys == null ? Set.of() : UploadedJwks.kids(keys);
  }

  private long uploadedRevision() {
    return ProviderRevision.of(iam.provider(NAME).getString("description"));
  }

  private static JsonObject readyz(TestServer t) throws Exception {
    return new JsonObject(t.get(t.managementUri("/readyz")).body());
  }

  @Test
  void theUploadedJwksFollowsARotationAndKeepsTheRetiredKeyForTheOverlap() throws Exception {
    String kidA = Keys.writePem(dir.resolve("a.pub"), Keys.rsa());
    try (TestServer t = TestServer.start(config())) {
      TestServer.await(WITHIN, "key a served", TestServer.io(() -> t.jwks().contains(kidA)));
      TestServer.await(WITHIN, "key a uploaded", () -> uploaded().equals(Set.of(kidA)));
      long first = readyz(t).getLong("revision");
      assertEquals(first, uploadedRevision(), "the provider records the revision it holds");

      String kidB = Keys.writePem(dir.resolve("b.pub"), Keys.rsa());
      TestServer.await(WITHIN, "key b served", TestServer.io(() -> t.jwks().contains(kidB)));
      TestServer.await(WITHIN, "key b uploaded next to a", () -> uploaded().equals(Set.of(kidA, kidB)));
      assertTrue(uploadedRevision() > first);

      long removed = System.nanoTime();
      Files.delete(dir.resolve("a.pub"));
      TestServer.await(WITHIN, "key a retired", TestServer.io(
          () -> t.metric("kubeassume_rotation_total{type=\"key_retired\"}") == 1));
      TestServer.await(WITHIN, "key a expired and removed from the provider", () -> uploaded().equals(Set.of(kidB)));
      TestServer.await(WITHIN, "key a no longer served", TestServer.io(() -> !t.jwks().contains(kidA)));

      // The provider went a -> a,b -> b, each write a newer revision, and a stayed for the whole overlap.
      List<FakeIam.Write> writes = iam.writes;
      assertEquals(List.of(Set.of(kidA), Set.of(kidA, kidB), Set.of(kidB)),
          writes.stream().map(w -> Set.copyOf(w.kids())).toList(), "writes: " + writes);
      for (int i = 1; i < writes.size(); i++) {
        assertTrue(writes.get(i).revision() > writes.get(i - 1).revision(), "writes: " + writes);
      }
      long droppedAfter = writes.get(2).atNanos() - removed;
      // A clock tolerance only: the removal cannot come before the overlap has passed since the file was deleted.
      assertTrue(droppedAfter >= OVERLAP.toNanos() - Duration.ofMillis(50).toNanos(),
          "key a left the provider " + Duration.ofNanos(droppedAfter).toMillis() + " ms after it was retired, inside the "
              + OVERLAP.toSeconds() + " s overlap");

      long revision = readyz(t).getLong("revision");
      assertEquals(revision, uploadedRevision());
      TestServer.await(WITHIN, "readyz shows the uploaded revision", TestServer.io(
          () -> Long.valueOf(revision).equals(readyz(t).getJsonArray("mirrors").getJsonObject(0).getLong("lastPublishedRevision"))));
      JsonObject m = readyz(t).getJsonArray("mirrors").getJsonObject(0);
      assertEquals(TARGET, m.getString("target"));
      assertEquals(true, m.getBoolean("healthy"));
      assertEquals("written", m.getString("lastResult"));
      assertEquals(3.0, t.metric("kubeassume_publish_total{result=\"written\",target=\"" + TARGET + "\"}"));
      assertEquals(0.0, t.metric("kubeassume_publish_errors_total{target=\"" + TARGET + "\"}"));
    }
  }

  @Test
  void aProviderThatFailsLaterShowsOnReadyzWhileTheKeysAreStillServedAndRecovers() throws Exception {
    String kidA = Keys.writePem(dir.resolve("a.pub"), Keys.rsa());
    try (TestServer t = TestServer.start(config())) {
      TestServer.await(WITHIN, "key a uploaded", () -> uploaded().equals(Set.of(kidA)));

      iam.granted.remove(FakeIam.UPDATE);
      String kidB = Keys.writePem(dir.resolve("b.pub"), Keys.rsa());
      TestServer.await(WITHIN, "key b served", TestServer.io(() -> t.jwks().contains(kidB)));
      TestServer.await(WITHIN, "the failure on /readyz", TestServer.io(
          () -> readyz(t).getJsonArray("mirrors").getJsonObject(0).getLong("consecutiveFailures") >= 1));
      JsonObject r = readyz(t);
      assertEquals(true, r.getBoolean("ready"), "serving goes on");
      JsonObject m = r.getJsonArray("mirrors").getJsonObject(0);
      assertEquals("error", m.getString("lastResult"));
      assertTrue(m.getJsonObject("lastError").getString("message").startsWith(
          "Google denied iam.workloadIdentityPoolProviders.update (403 "), m.encode());
      assertEquals(Set.of(kidA), uploaded());
      assertTrue(t.metric("kubeassume_publish_errors_total{target=\"" + TARGET + "\"}") >= 1);

      iam.granted.add(FakeIam.UPDATE);
      String kidC = Keys.writePem(dir.resolve("c.pub"), Keys.rsa());
      TestServer.await(WITHIN, "the next change uploads everything served", () -> uploaded().equals(Set.of(kidA, kidB, kidC)));
      TestServer.await(WITHIN, "healthy again", TestServer.io(
          () -> readyz(t).getJsonArray("mirrors").getJsonObject(0).getBoolean("healthy")));
    }
  }
}
