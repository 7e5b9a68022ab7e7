package io.kubeassume.source.files;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One watch service for many watchers of directories (a fleet's key files and its issuers file): a
 * process may have only a few inotify instances (128 per user by default), so a watch service per
 * issuer would not scale. Directories rather than files are watched, because a Kubernetes Secret
 * volume updates by swapping a {@code ..data} symlink that a watch on the old file never sees. One
 * periodic poll (it never blocks) hands each change to the watchers of its directory, each after a
 * short quiet period, so a burst of events is one notice. Use from one event loop.
 */
public final class DirectoryWatches implements AutoCloseable {
  static final long POLL_MS = 100;
  static final long QUIET_MS = 150;

  private final Vertx vertx;
  private final WatchService service;
  private final Map<WatchKey, List<Watch>> byKey = new HashMap<>();
  private long pollTimer = -1;

  /** A registration; {@link #cancel} stops its notices. */
  public final class Watch {
    private final Runnable changed;
    private final List<WatchKey> keys = new ArrayList<>();
    private long quietTimer = -1;
    private boolean cancelled;

    private Watch(Runnable changed) {
      this.changed = changed;
    }

    private void notice() {
      if (cancelled) {
        return;
      }
      vertx.cancelTimer(quietTimer);
      quietTimer = vertx.setTimer(QUIET_MS, t -> {
        if (!cancelled) {
          changed.run();
        }
      });
    }

    public void cancel() {
      cancelled = true;
      vertx.cancelTimer(quietTimer);
      for (WatchKey key : keys) {
        List<Watch> watchers = byKey.get(key);
        if (watchers != null) {
          watchers.remove(this);
          if (watchers.isEmpty()) {
            byKey.remove(key);
            key.cancel();
          }
        }
      }
      if (byKey.isEmpty()) {
        vertx.cancelTimer(pollTimer);
        pollTimer = -1;
      }
    }
  }

  public DirectoryWatches(Vertx vertx) throws IOException {
    this.vertx = vertx;
    this.service = FileSystems.getDefault().newWatchService();
  }

  /**
   * Registers the directories holding {@code paths} (a directory itself, or a file's parent) now, so
   * an unreadable path fails at once; {@code changed} runs on the event loop after changes there.
   */
  public Watch watch(List<Path> paths, Runnable changed) throws IOException {
    Set<Path> dirs = directories(paths);
    Watch watch = new Watch(changed);
    for (Path dir : dirs) {
      WatchKey key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
          StandardWatchEventKinds.ENTRY_MODIFY);
      watch.keys.add(key);
      byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(watch);
    }
    if (pollTimer == -1) {
      pollTimer = vertx.setPeriodic(POLL_MS, id -> poll());
    }
    return watch;
  }

  /** Fails now if a directory holding {@code paths} cannot be watched (missing, unreadable); watches nothing. */
  public void check(List<Path> paths) throws IOException {
    for (Path dir : directories(paths)) {
      // The same kinds as watch(): registering a directory again replaces what its key watches.
      WatchKey key = dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
          StandardWatchEventKinds.ENTRY_MODIFY);
      if (!byKey.containsKey(key)) {
        key.cancel();
      }
    }
  }

  private static Set<Path> directories(List<Path> paths) {
    Set<Path> dirs = new LinkedHashSet<>();
    for (Path path : paths) {
      Path abs = path.toAbsolutePath();
      dirs.add(Files.isDirectory(abs) ? abs : abs.getParent());
    }
    return dirs;
  }

  private void poll() {
    WatchKey key;
    while ((key = service.poll()) != null) {
      boolean changed = !key.pollEvents().isEmpty();
      key.reset();
      List<Watch> watchers = byKey.get(key);
      if (changed && watchers != null) {
        List.copyOf(watchers).forEach(Watch::notice);
      }
    }
  }

  @Override
  public void close() {
    vertx.cancelTimer(pollTimer);
    try {
      service.close();
    } catch (IOException ignored) {
      // closing on shutdown; nothing left to do
    }
  }
}
