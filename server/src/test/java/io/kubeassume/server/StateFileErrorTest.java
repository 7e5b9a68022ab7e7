package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kubeassume.logging.LogSettings;
import io.kubeassume.merge.MergeState;
import io.kubeassume.store.FileStateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A state file that cannot be written: the error names the state file (not a random temporary file) and
 * stays the same across attempts, so the server logs it once while it keeps failing.
 */
class StateFileErrorTest {
  /** /sys refuses new files even to root; a machine where it does not cannot run this test. */
  static Path unwritableDirectory() {
    Path sys = Path.of("/sys");
    try {
      Files.delete(Files.createTempFile(sys, "probe", ".tmp"));
      return null;
    } catch (IOException | RuntimeException refused) {
      return sys;
    }
  }

  @Test
  void aFailedSaveNamesTheStateFileTheSameWayEveryTime() throws Exception {
    Path dir = unwritableDirectory();
    assumeTrue(dir != null, "no directory here refuses new files");
    Path state = dir.resolve("kubeassume-state.json");
    FileStateStore store = new FileStateStore(null, state);
    String first = failure(store);
    String second = failure(store);
    assertEquals(first, second, "the same problem, the same message");
    assertTrue(first.startsWith("cannot write the state file " + state + " ("), first);
    assertTrue(first.endsWith(" in " + dir + "); make " + dir + " a writable volume with free space, or choose another --state-file"),
        first);
    assertFalse(first.contains(".tmp"), "no temporary file name: " + first);
  }

  private static String failure(FileStateStore store) {
    try {
      store.saveNow(MergeState.EMPTY);
    } catch (IOException e) {
      return e.getMessage();
    }
    throw new AssertionError("the save succeeded");
  }

  @Test
  void aServerThatCannotSaveLogsItOnceWhileItKeepsFailing() throws Exception {
    Path dir = unwritableDirectory();
    assumeTrue(dir != null, "no directory here refuses new files");
    Path state = dir.resolve("kubeassume-state.json");
    List<String> log = new CopyOnWriteArrayList<>();
    try (LogSettings.Capture ignored = LogSettings.capture(log::add);
        TestServer t = TestServer.start(TestServer.config("http://localhost", List.of(TestServer.DEV_PUBLIC_KEY))
            .stateFile(state).pollInterval(Duration.ofSeconds(1)).build())) {
      TestServer.await(Duration.ofSeconds(30), "three failed syncs", () -> t.server.health().report().consecutiveFailures() >= 3);
      assertTrue(t.server.health().report().failing().contains("cannot write the state file " + state),
          t.server.health().report().failing());
    }
    List<String> warnings = log.stream().filter(l -> l.contains("cannot write the state file")).toList();
    assertEquals(1, warnings.size(), "once per distinct error, not once per sync: " + warnings);
    assertFalse(warnings.get(0).contains(".tmp"), warnings.get(0));
  }
}
