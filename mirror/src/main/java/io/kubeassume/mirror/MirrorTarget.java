package io.kubeassume.mirror;

/**
 * One object store the documents are copied to. All methods block (they make SDK calls): never
 * call them from a Vert.x event loop; run them on a worker thread.
 */
public interface MirrorTarget {
  /** Metadata key holding the kubeassume revision of the documents an object belongs to. */
  String REVISION_METADATA = "kubeassume-revision";

  /**
   * The object under {@code key}, or {@code null} if there is none.
   *
   * @throws MirrorException if the store cannot be read
   */
  StoredObject read(String key);

  /**
   * Writes {@code body} under {@code key} only if {@code pre} still holds.
   *
   * @throws PreconditionFailedException if the store refused the write because of {@code pre}
   *     (S3: 412, or 409 for a conflicting create)
   * @throws MirrorException for any other failure
   */
  void write(String key, byte[] body, String contentType, String cacheControl, long revision, Precondition pre)
      throws PreconditionFailedException;

  /** A short name for logs and results, e.g. {@code s3://bucket}. */
  String describe();
}
