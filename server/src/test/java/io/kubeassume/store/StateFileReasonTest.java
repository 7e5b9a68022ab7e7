package io.kubeassume.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The words for a failed state-file write, whatever random name the temporary file had. */
class StateFileReasonTest {
  static final Path STATE = Path.of("/var/lib/kubeassume/state.json");

  @Test
  void permissionDeniedNamesTheStateFileAndItsDirectory() {
    String a = FileStateStore.reason(STATE, new AccessDeniedException("/var/lib/kubeassume/.state.json1234.tmp"));
    String b = FileStateStore.reason(STATE, new AccessDeniedException("/var/lib/kubeassume/.state.json98765.tmp"));
    assertEquals("cannot write the state file /var/lib/kubeassume/state.json (permission denied in /var/lib/kubeassume); "
        + "make /var/lib/kubeassume a writable volume with free space, or choose another --state-file", a);
    assertEquals(a, b);
  }

  @Test
  void theFileSystemsReasonIsKept() {
    assertEquals("cannot write the state file /var/lib/kubeassume/state.json (No space left on device in /var/lib/kubeassume); "
        + "make /var/lib/kubeassume a writable volume with free space, or choose another --state-file",
        FileStateStore.reason(STATE, new FileSystemException("/var/lib/kubeassume/.state.json42.tmp", null,
            "No space left on device")));
  }
}
