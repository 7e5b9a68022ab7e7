package io.kubeassume.server;

import io.kubeassume.config.ServeConfig;
import io.kubeassume.config.SourceType;
import io.kubeassume.keys.InvalidKeyException;
import io.kubeassume.merge.KeyMerger;
import io.kubeassume.merge.MergeState;
import io.kubeassume.source.KeySourceException;
import io.kubeassume.source.files.KeyFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * Key files at start-up with nothing stored to serve: if not one valid key set can be made of them
 * (every key private, weak or unsupported, a reused kid, an empty directory), a server would answer
 * 503 until someone noticed. Start-up stops instead, with the reason {@code kubeassume jwks} gives for
 * the same files. Once running, a bad key never stops the server: the last good documents stay served.
 */
final class StartupKeys {
  private StartupKeys() {}

  /** Succeeds unless this is a single replica serving key files, with no stored state, whose keys are all refused. */
  static Future<MergeState> check(Vertx vertx, ServeConfig config, boolean shared, KeyMerger merger, MergeState stored,
      Clock clock) {
    if (shared || config.source() != SourceType.FILES || !stored.keys().isEmpty()) {
      return Future.succeededFuture(stored);
    }
    return vertx.executeBlocking(() -> {
      try {
        merger.merge(MergeState.EMPTY, KeyFiles.readAll(config.keys()), clock.instant());
        return stored;
      } catch (InvalidKeyException | KeySourceException e) {
        throw new NoValidKeysException("no valid key to serve in --keys and no stored state"
            + (config.stateFile() == null ? "" : " in " + config.stateFile()) + ": " + e.getMessage(), e);
      }
    }, false);
  }

  /** Start-up found nothing it could serve. */
  static final class NoValidKeysException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NoValidKeysException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
