package io.kubeassume.source.files;

import io.kubeassume.keys.SigningKey;
import io.kubeassume.source.KeySource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Public keys from PEM and JWKS files ({@code --source files}). Reading runs on a worker thread;
 * directory changes are polled from the event loop (the JDK's watch service does the waiting)
 * and reported after a short quiet period, so a burst of events causes one sync.
 */
public final class FileKeySource implements KeySource {
  static final long WATCH_POLL_MS = 100;
  static final long QUIET_MS = 150;

  private final Vertx vertx;
  private final List<Path> paths;
  private final DirectoryWatcher watcher;
  private long pollTimer = -1;
  private long quietTimer = -1;

  /** Registers the directory watches now, so that start-up fails early on an unreadable path. */
  public FileKeySource(Vertx vertx, List<Path> paths) throws IOException {
    this.vertx = vertx;
    this.paths = List.copyOf(paths);
    this.watcher = new DirectoryWatcher(this.paths);
  }

  @Override
  public String name() {
    return "files";
  }

  @Override
  public Future<List<SigningKey>> fetch() {
    return vertx.executeBlocking(() -> KeyFiles.readAll(paths), false);
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
  }
}
