package io.kubeassume.store;

import io.kubeassume.merge.MergeState;
import io.kubeassume.merge.StateCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The state in a local file ({@code --state-file}), replaced atomically: written to a temporary
 * file in the same directory, flushed to disk, then renamed over the old one. A crash leaves
 * either the old or the new state, never half of one.
 */
public final class FileStateStore implements StateStore {
  private final Vertx vertx;
  private final Path file;

  public FileStateStore(Vertx vertx, Path file) {
    this.vertx = vertx;
    this.file = file.toAbsolutePath();
  }

  @Override
  public String describe() {
    return file.toString();
  }

  @Override
  public Future<MergeState> load() {
    return vertx.executeBlocking(this::loadNow, false);
  }

  @Override
  public Future<Void> save(MergeState state) {
    return vertx.executeBlocking(() -> {
      saveNow(state);
      return null;
    }, false);
  }

  /** Blocking load: the state, or EMPTY if the file does not exist yet. */
  public MergeState loadNow() throws Exception {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return MergeState.EMPTY;
    }
    return StateCodec.decode(file.toString(), bytes);
  }

  /**
   * Blocking atomic save. A failure names the state file's directory and the reason, never the random name
   * of the temporary file: the same problem gives the same message, so it is logged once, not once per sync.
   */
  public void saveNow(MergeState state) throws IOException {
    try {
      write(state);
    } catch (IOException e) {
      throw new IOException(reason(file, e), e);
    }
  }

  /** Why the state file could not be written, in words that name it and stay the same across attempts. */
  static String reason(Path file, IOException e) {
    Path dir = file.getParent();
    String what = e instanceof AccessDeniedException ? "permission denied"
        : e instanceof NoSuchFileException ? "the directory does not exist"
        : e instanceof FileAlreadyExistsException f && dir.equals(Path.of(f.getFile())) ? "the directory is a file"
        : e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()
            .replaceAll(java.util.regex.Pattern.quote(dir.toString()) + "/\\." + java.util.regex.Pattern.quote(
                file.getFileName().toString()) + "\\d*\\.tmp", file.toString()));
    return "cannot write the state file " + file + " (" + what + " in " + dir + "); make " + dir
        + " a writable volume with free space, or choose another --state-file";
  }

  private void write(MergeState state) throws IOException {
    Path dir = file.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(StateCodec.encode(state));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot replace " + file + " atomically on this file system", e);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
