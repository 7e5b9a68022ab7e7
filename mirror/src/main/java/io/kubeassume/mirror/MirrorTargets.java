package io.kubeassume.mirror;

import io.kubeassume.mirror.azure.AzureBlobTarget;
import io.kubeassume.mirror.s3.S3Targets;

/** Turns a {@link MirrorLocation} into the {@link MirrorTarget} for its store: one line per scheme. */
public final class MirrorTargets {
  private MirrorTargets() {}

  /**
   * Builds the target's client (blocking: region lookup, credential chain set-up; call it off the
   * event loop). The caller closes the target if it is {@link AutoCloseable}.
   *
   * @throws MirrorConfigException if the location cannot be served with these options
   */
  public static MirrorTarget create(MirrorLocation location, MirrorOptions options) {
    return switch (location.scheme()) {
      case S3 -> S3Targets.create(location, options);
      case GCS -> notBuiltIn(location);
      case AZURE_BLOB -> azureBlob(location, options);
      case OCI -> notBuiltIn(location);
    };
  }

  private static MirrorTarget azureBlob(MirrorLocation location, MirrorOptions options) {
    try {
      return AzureBlobTarget.create(location.account(), location.bucket(), options.endpoint());
    } catch (IllegalArgumentException e) {
      throw new MirrorConfigException("--mirror", "'" + location + "': " + e.getMessage());
    }
  }

  // Refuses rather than pretends: a mirror that silently publishes nothing is worse than none.
  private static MirrorTarget notBuiltIn(MirrorLocation location) {
    throw new MirrorConfigException("--mirror", "'" + location + "': " + location.scheme().scheme()
        + ":// mirrors are not built into this version of kubeassume yet; use an s3:// mirror or serve the documents directly");
  }
}
