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
 * Public keys from PEM and JWKS files ({@code --source files}, or an issuers file's {@code files}).
 * Reading runs on worker threads of its own; directory changes come from {@link DirectoryWatches}
 * after a short quiet period, so a burst of events causes one sync.
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
  /** Two threads: a read stuck for ever (see above) leaves the next read a thread, and the shared pool untouched. */
  static final int READ_THREADS = 2;
  static final String READ_POOL = "kubeassume-key-files";

  private final List<Path> paths;
  private final DirectoryWatches watches;
  /** Whether this source made {@link #watches} (the single issuer) and closes it, or shares a fleet's. */
  private final boolean ownsWatches;
  private final WorkerExecutor readers;
  private DirectoryWatches.Watch watch;

  /** The single issuer's source, with a watch service of its own; checks the paths can be watched now. */
  public FileKeySource(Vertx vertx, List<Path> paths) throws IOException {
    this(vertx, paths, new DirectoryWatches(vertx), true);
  }

  /** A fleet issuer's source, sharing the fleet's watch service. */
  public FileKeySource(Vertx vertx, List<Path> paths, DirectoryWatches watches) throws IOException {
    this(vertx, paths, watches, false);
  }

  private FileKeySource(Vertx vertx, List<Path> paths, DirectoryWatches watches, boolean ownsWatches) throws IOException {
    this.paths = List.copyOf(paths);
    this.watches = watches;
    this.ownsWatches = ownsWatches;
    watches.check(this.paths);
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
    try {
      watch = watches.watch(paths, changed);
    } catch (IOException e) {
      // Checked at construction; a directory that vanished since is found by the next read (poll interval).
      watch = null;
    }
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.cancel();
    }
    if (ownsWatches) {
      watches.close();
    }
    readers.close();
  }
}
