package io.kubeassume.source.files;

import io.kubeassume.keys.SigningKey;
import io.kubeassume.source.KeySource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Public keys from PEM and JWKS files ({@code --source files}). Reading runs on worker threads of
 * its own; directory changes are polled from the event loop (the JDK's watch service does the
 * waiting) and reported after a short quiet period, so a burst of events causes one sync.
 *
 * <p>A read is bounded ({@link KeyFiles}: regular files only, at most 1 MiB + 1 byte each, linear
 * parsing), so it takes milliseconds. The one way it can still hang is outside the process: a file
 * system that stops answering, or a FIFO swapped in between the type check and the open. The sync
 * loop's read deadline reports that once, as a sync error. Vert.x's blocked-thread checker would
 * instead log a stack trace every second for as long as the thread is stuck (as it did for the
 * quadratic PEM parsing of a 1 MiB file: minutes), so it is off for this pool, whose threads run
 * nothing else.
 */
public final class FileKeySource implements KeySource {
  static final long WATCH_POLL_MS = 100;
  static final long QUIET_MS = 150;
  /** Two threads: a read stuck for ever (see above) leaves the next read a thread, and the shared pool untouched. */
  static final int READ_THREADS = 2;
  static final String READ_POOL = "kubeassume-key-files";

  private final Vertx vertx;
  private final List<Path> paths;
  private final DirectoryWatcher watcher;
  private final WorkerExecutor readers;
  private long pollTimer = -1;
  private long quietTimer = -1;

  /** Registers the directory watches now, so that start-up fails early on an unreadable path. */
  public FileKeySource(Vertx vertx, List<Path> paths) throws IOException {
    this.vertx = vertx;
    this.paths = List.copyOf(paths);
    this.watcher = new DirectoryWatcher(this.paths);
    // No blocked-thread warning (max execute time "for ever"): the sync loop's read deadline reports a hang, once.
    this.readers = vertx.createSharedWorkerExecutor(READ_POOL, READ_THREADS, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
  }

  @Override
  public String name() {
    return "files";
  }

  @Override
  public Future<List<SigningKey>> fetch() {
    return readers.executeBlocking(() -> KeyFiles.readAll(paths), false);
  }

  @Override
  public void onChange(Runnable changed) {
    pollTimer = vertx.setPeriodic(WATCH_POLL_MS, id -> {
      if (watcher.poll()) {
        vertx.cancelTimer(quietTimer);
        quietTimer = vertx.setTimer(QUIET_MS, t -> changed.run());
      }
    });
  }

  @Override
  public void close() {
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(quietTimer);
    watcher.close();
    readers.close();
  }
}
