package io.kubeassume.mirror;

import io.kubeassume.document.Snapshot;
import java.util.Objects;

/** A bucket as a {@link SnapshotPublisher}: {@link MirrorCheck} at start-up, then {@link DocumentPublisher}. */
public final class ObjectStorePublisher implements SnapshotPublisher {
  private final MirrorLocation location;
  private final MirrorTarget target;
  private final DocumentPublisher documents;

  public ObjectStorePublisher(MirrorLocation location, MirrorTarget target, DocumentPublisher documents) {
    this.location = Objects.requireNonNull(location, "location");
    this.target = Objects.requireNonNull(target, "target");
    this.documents = Objects.requireNonNull(documents, "documents");
  }

  public MirrorTarget target() {
    return target;
  }

  @Override
  public void check() {
    MirrorCheck.check(location, target, documents);
  }

  @Override
  public PublishResult publish(Snapshot snapshot) throws InterruptedException {
    return documents.publish(snapshot);
  }

  @Override
  public String describe() {
    return documents.jwksKey() + " and " + documents.discoveryKey();
  }

  @Override
  public void close() {
    if (target instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new MirrorException("closing the client of " + location + ": " + e, e);
      }
    }
  }
}
