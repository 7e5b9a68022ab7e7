package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state file carries retired keys and the revision across a restart. */
class RestartTest {
  @TempDir
  Path dir;

  @Test
  void aRestartInsideTheOverlapWindowStillServesTheRetiredKey() throws Exception {
    Path keys = Files.createDirectory(dir.resolve("keys"));
    Path state = dir.resolve("state/state.json");
    String kidA = Keys.writePem(keys.resolve("a.pub"), Keys.rsa());
    String kidB = Keys.writePem(keys.resolve("b.pub"), Keys.rsa());
    var config = TestServer.config("http://localhost", List.of(keys)).stateFile(state).overlap(Duration.ofHours(1)).build();

    long revisionBefore;
    try (TestServer t = TestServer.start(config)) {
      TestServer.await(Duration.ofSeconds(10), "both keys served", TestServer.io(() -> t.jwks().contains(kidA) && t.jwks().contains(kidB)));
      Files.delete(keys.resolve("a.pub"));
      TestServer.await(Duration.ofSeconds(5), "a retired", TestServer.io(() -> Files.readString(state).contains("\"retiredAt\":\"")));
      revisionBefore = t.server.documents().snapshot().orElseThrow().revision();
    }

    try (TestServer t = TestServer.start(config)) {
      TestServer.await(Duration.ofSeconds(10), "serving after restart", TestServer.io(() -> t.get(t.managementUri("/readyz")).statusCode() == 200));
      String jwks = t.jwks();
      assertTrue(jwks.contains(kidA), "retired key a survived the restart");
      assertTrue(jwks.contains(kidB));
      assertEquals(revisionBefore, t.server.documents().snapshot().orElseThrow().revision(), "same documents, same revision");
    }
  }

  @Test
  void theStoredDocumentsAreServedEvenIfTheSourceIsBrokenAtStartUp() throws Exception {
    Path keys = Files.createDirectory(dir.resolve("keys"));
    Path state = dir.resolve("state.json");
    String kidA = Keys.writePem(keys.resolve("a.pub"), Keys.rsa());
    var config = TestServer.config("http://localhost", List.of(keys)).stateFile(state).build();
    try (TestServer t = TestServer.start(config)) {
      TestServer.await(Duration.ofSeconds(10), "a served", TestServer.io(() -> t.jwks().contains(kidA)));
    }
    Files.writeString(keys.resolve("a.pub"), "corrupted");
    try (TestServer t = TestServer.start(config)) {
      assertTrue(t.jwks().contains(kidA), "last good documents from the state file");
      TestServer.await(Duration.ofSeconds(5), "error visible", () -> t.server.health().report().failing() != null);
      assertEquals(200, t.get(t.managementUri("/readyz")).statusCode());
      assertTrue(t.jwks().contains(kidA));
    }
  }

  @Test
  void aCorruptStateFileStopsStartUpAndIsLeftAlone() throws Exception {
    Path state = dir.resolve("state.json");
    Files.writeString(state, "{not json");
    var config = TestServer.config("http://localhost", List.of(TestServer.DEV_PUBLIC_KEY)).stateFile(state).build();
    ExecutionException e = assertThrows(ExecutionException.class, () -> TestServer.start(config));
    assertTrue(e.getCause().getMessage().contains(state.toString()), e.getCause().getMessage());
    assertEquals("{not json", Files.readString(state), "nothing is lost: the file is not overwritten");
  }

  /** A start that fails after the file source is set up (here: on the state file) closes its directory watch. */
  @Test
  void aFailedStartClosesTheKeyFileWatch() throws Exception {
    Path state = dir.resolve("state.json");
    Files.writeString(state, "{not json");
    var config = TestServer.config("http://localhost", List.of(TestServer.DEV_PUBLIC_KEY)).stateFile(state).build();
    long before = watchThreads();
    assertThrows(ExecutionException.class, () -> TestServer.start(config));
    // The JDK's watch service runs one poller thread until it is closed.
    TestServer.await(Duration.ofSeconds(5), "the key file watch is closed", () -> watchThreads() <= before);
  }

  private static long watchThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals("FileSystemWatchService")).count();
  }
}
