package io.kubeassume.fleet;

import io.kubeassume.merge.KeyMerger;
import io.kubeassume.server.IssuerEndpoint;
import io.kubeassume.server.IssuerRegistry;
import io.kubeassume.server.SyncLoop;
import io.kubeassume.server.TimerQueue;
import io.kubeassume.source.KeySource;
import io.kubeassume.source.files.DirectoryWatches;
import io.kubeassume.source.files.FileKeySource;
import io.kubeassume.store.FileStateStore;
import io.kubeassume.store.MemoryStateStore;
import io.kubeassume.store.StateStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet declared in an issuers file ({@code serve --issuers FILE}), in one process: every issuer's
 * keys come from files, its state from {@code --state-dir} (one file per issuer) or memory. The file
 * is watched (its directory, so a ConfigMap volume's update is seen) and re-read after a change; a
 * file that cannot be read keeps the issuers served as they are, and says why on /readyz.
 */
public final class FileFleet extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(FileFleet.class);

  /** @param stateDir one state file per issuer, {@code NAME.json}; null keeps state in memory */
  public record Settings(Path file, Path stateDir, int maxKeys, Duration pollInterval, List<String> allowedPrefixes,
      IssuerSpecParser.Context specs, FleetMirrors mirrors) {}

  private final Settings settings;
  private final IssuerRegistry registry;
  private final Clock clock;
  private Fleet fleet;
  /** Every issuer's sync-loop timers, on this verticle's context: one Vert.x timer, not one per issuer. */
  private TimerQueue timers;
  private DirectoryWatches watches;
  private DirectoryWatches.Watch fileWatch;
  private volatile String fileError;
  private volatile Instant fileErrorAt;
  private volatile boolean loaded;
  private String loggedError;

  public FileFleet(Settings settings, IssuerRegistry registry, Clock clock) {
    this.settings = settings;
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public Future<?> start() throws IOException {
    timers = new TimerQueue(vertx);
    watches = new DirectoryWatches(vertx);
    fleet = new Fleet(registry, new Pipelines(), settings.allowedPrefixes());
    fleet.startSyncing(vertx);
    return read().map(v -> {
      try {
        fileWatch = watches.watch(List.of(settings.file()), () -> read());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot watch " + settings.file() + ": " + e.getMessage(), e);
      }
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    if (fileWatch != null) {
      fileWatch.cancel();
    }
    fleet.close();
    timers.close();
    watches.close();
    return Future.succeededFuture();
  }

  /** Reads the file (on a worker) and reconciles; a start-up read that fails fails the start. */
  private Future<Void> read() {
    return vertx.executeBlocking(() -> IssuersFile.read(settings.file(), settings.specs()), false)
        .transform(result -> {
          if (result.failed()) {
            String error = result.cause().getMessage();
            fileError = error;
            fileErrorAt = clock.instant();
            if (!error.equals(loggedError)) {
              log.warn("issuers file {}: {}; {}", settings.file(), error,
                  loaded ? "still serving the issuers it declared before" : "no issuers served yet");
              loggedError = error;
            }
            return loaded ? Future.succeededFuture() : Future.failedFuture(result.cause());
          }
          IssuersFile.Content content = result.result();
          if (loggedError != null) {
            log.info("issuers file {} reads again", settings.file());
            loggedError = null;
          }
          fileError = null;
          fleet.reconcile(content.specs(), content.invalid());
          content.invalid().forEach((name, error) -> log.warn("issuers file {}: {}", settings.file(), error));
          loaded = true;
          return Future.succeededFuture();
        });
  }

  public Fleet fleet() {
    return fleet;
  }

  /** The file's state for /readyz: where it is and, if the last read failed, why. */
  public JsonObject fileStatus() {
    JsonObject json = new JsonObject().put("file", settings.file().toString()).put("loaded", loaded);
    String error = fileError;
    if (error != null) {
      json.put("lastError", new JsonObject().put("message", error).put("at", String.valueOf(fileErrorAt)));
    }
    return json;
  }

  /** Files and a state directory. */
  private final class Pipelines implements Fleet.PipelineFactory {
    @Override
    public IssuerPipeline create(IssuerSpec spec, IssuerEndpoint endpoint) {
      IssuerStats stats = new IssuerStats();
      return settings.mirrors().attach(vertx, new IssuerPipeline(spec, endpoint, stats, p -> {
        StateStore store = settings.stateDir() == null ? new MemoryStateStore()
            : new FileStateStore(vertx, stateFile(spec));
        KeySource source;
        try {
          source = new FileKeySource(vertx, ((IssuerSpec.KeyFiles) spec.source()).paths(), watches);
        } catch (IOException e) {
          return Future.failedFuture(new IOException("cannot watch the key files " + Fleet.describe(spec.source())
              + ": " + e.getMessage(), e));
        }
        return store.load().<SyncLoop>map(initial -> new SyncLoop(source, store, initial,
                KeyMerger.of(spec.overlap(), settings.maxKeys()), spec.issuer(), endpoint.documents(), stats.health(),
                stats, clock, settings.pollInterval(), true, spec.id()).timers(timers))
            .onFailure(e -> source.close());
      }));
    }

    @Override
    public void removed(IssuerSpec spec) {
      if (settings.stateDir() != null) {
        Path file = stateFile(spec);
        vertx.executeBlocking(() -> Files.deleteIfExists(file), false)
            .onFailure(e -> log.warn("issuer {}: cannot delete its state file {}: {}", spec.id(), file, e.getMessage()));
      }
    }

    private Path stateFile(IssuerSpec spec) {
      return settings.stateDir().resolve(spec.id() + ".json");
    }
  }

}
