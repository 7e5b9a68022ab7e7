package io.kubeassume.cli;

import io.kubeassume.config.ConfigException;
import io.kubeassume.source.files.FileKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --keys} as serve and jwks take it: at least one path, each of which exists, can be read, and is a file
 * or a directory (not a FIFO, device or socket).
 * A problem is a wrong flag (exit code 2), reported the same way by both commands; what the files
 * hold is checked later, by the key policy (exit code 1).
 */
final class KeysFlag {
  private KeysFlag() {}

  /**
   * @param flag {@code --keys}, or {@code --keys (from KUBEASSUME_KEYS)} when the variable gave the value
   * @param whenMissing what to say when no path is given, after "--keys: is required"
   */
  static List<Path> paths(String flag, List<String> values, String whenMissing) throws ConfigException {
    List<Path> paths = new ArrayList<>();
    for (String k : values == null ? List.<String>of() : values) {
      if (k != null && !k.isBlank()) {
        paths.add(Path.of(k.strip()));
      }
    }
    if (paths.isEmpty()) {
      throw new ConfigException("--keys", "is required" + whenMissing + ": name the service-account public key "
          + "or a directory of keys, e.g. --keys /etc/kubernetes/pki/sa.pub (or KUBEASSUME_KEYS)");
    }
    for (Path p : paths) {
      if (!Files.exists(p)) {
        throw new ConfigException(flag, p + " does not exist; give a key file or a directory of key files");
      }
      if (!Files.isReadable(p)) {
        throw new ConfigException(flag, p + " is not readable by this user");
      }
      if (!Files.isRegularFile(p) && !Files.isDirectory(p)) {
        // A FIFO would block the key read for ever, a device never ends: only files and directories hold keys.
        throw new ConfigException(flag, p + " is " + FileKind.describe(p) + ", not a key file or a directory; "
            + "name the public key file (e.g. /etc/kubernetes/pki/sa.pub) or a directory of key files");
      }
    }
    return paths;
  }
}
