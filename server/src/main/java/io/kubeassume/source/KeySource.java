package io.kubeassume.source;

import io.kubeassume.keys.SigningKey;
import io.vertx.core.Future;
import java.util.List;

/**
 * Where the cluster's current public keys come from. {@link #fetch()} must not block the calling
 * event loop; it fails with {@link io.kubeassume.keys.InvalidKeyException} for bad keys and
 * {@link KeySourceException} when the source cannot be read.
 */
public interface KeySource extends AutoCloseable {
  /** Short name for metrics and logs: {@code files}, {@code kubernetes}. */
  String name();

  /** The source's current keys, validated; never empty on success. */
  Future<List<SigningKey>> fetch();

  /**
   * Asks to be told when the keys may have changed, so changes are served without waiting for
   * the next poll. Called once, on the event loop that will receive the calls.
   */
  default void onChange(Runnable changed) {}

  /**
   * True if {@link #onChange} hears of every change of the keys (a watch that delivers the content
   * it reads from memory), so a successful read needs no poll after it: polling would re-read what
   * the last notice delivered. False (the default) for sources that can change unannounced.
   */
  default boolean announcesEveryChange() {
    return false;
  }

  @Override
  default void close() {}
}
