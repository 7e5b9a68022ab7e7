package io.kubeassume.source.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a path names (links followed), in the words of an error message. Only a regular file can
 * be a key file: opening a FIFO waits for a writer for ever, and a device such as /dev/zero or a
 * socket never ends, so they are refused before anything is opened.
 */
public final class FileKind {
  private FileKind() {}

  /**
   * A description such as "a FIFO (named pipe)" or "a character device", for a path that is
   * neither a regular file nor a directory; "not a regular file" where the file system does not say more.
   */
  public static String describe(Path path) {
    try {
      int type = ((Integer) Files.getAttribute(path, "unix:mode")) & 0170000;
      return switch (type) {
        case 0010000 -> "a FIFO (named pipe)";
        case 0020000 -> "a character device";
        case 0060000 -> "a block device";
        case 0140000 -> "a socket";
        case 0040000 -> "a directory";
        case 0100000 -> "a regular file";
        default -> "not a regular file";
      };
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
      return "not a regular file";
    }
  }
}
