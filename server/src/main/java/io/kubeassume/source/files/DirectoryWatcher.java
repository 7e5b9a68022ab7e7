package io.kubeassume.source.files;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Notices changes in the directories that hold the key files. Watches directories rather than
 * files because a Kubernetes Secret volume updates by swapping a {@code ..data} symlink in the
 * directory, which a watch on the old file would never see. {@link #poll()} never blocks.
 */
final class DirectoryWatcher implements AutoCloseable {
  private final WatchService service;

  DirectoryWatcher(List<Path> keyPaths) throws IOException {
    this.service = FileSystems.getDefault().newWatchService();
    Set<Path> dirs = new LinkedHashSet<>();
    for (Path path : keyPaths) {
      Path abs = path.toAbsolutePath();
      dirs.add(Files.isDirectory(abs) ? abs : abs.getParent());
    }
    for (Path dir : dirs) {
      dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
          StandardWatchEventKinds.ENTRY_MODIFY);
    }
  }

  /** True if anything changed in a watched directory since the last call. */
  boolean poll() {
    boolean changed = false;
    WatchKey key;
    while ((key = service.poll()) != null) {
      changed |= !key.pollEvents().isEmpty();
      key.reset();
    }
    return changed;
  }

  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException ignored) {
      // closing on shutdown; nothing left to do
    }
  }
}
