package io.kubeassume.mirror;

import io.kubeassume.document.Snapshot;

/**
 * One place the served documents are published to, as {@link MirrorVerticle} drives it: a bucket (the two
 * documents as objects, {@link ObjectStorePublisher}) or a GCP workload identity pool provider (the keys as its
 * uploaded JWKS). Every method but {@link #describe()} blocks: run them on a worker thread, never on an event loop.
 */
public interface SnapshotPublisher extends AutoCloseable {
  /**
   * The start-up check: can this target be read and written?
   *
   * @throws MirrorException with one line naming the target, what failed and the permission or fix
   */
  void check();

  /**
   * Publishes {@code snapshot}, or decides that nothing is to be written.
   *
   * @throws MirrorException if the target cannot be read or written
   * @throws InterruptedException if interrupted while pausing between attempts
   */
  PublishResult publish(Snapshot snapshot) throws InterruptedException;

  /** What is published, for the start-up log line, e.g. {@code clusters/prod/openid/v1/jwks and ...}. */
  String describe();

  /**
   * Releases the target's client; called once, after the last publish has finished.
   *
   * @throws MirrorException if the client could not be closed cleanly
   */
  @Override
  default void close() {}
}
