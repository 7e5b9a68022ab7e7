package io.kubeassume.mirror;

import io.kubeassume.mirror.azure.AzureBlobTarget;
import io.kubeassume.mirror.gcs.GcsTarget;
import io.kubeassume.mirror.oci.OciTarget;
import io.kubeassume.mirror.s3.S3Targets;

/** Turns a bucket's {@link MirrorLocation} into the {@link MirrorTarget} for its store: one line per scheme. */
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
      case GCS -> checked(location, () -> GcsTarget.create(location.bucket(), options.endpoint()));
      case AZURE_BLOB -> checked(location, () -> AzureBlobTarget.create(location.account(), location.bucket(),
          options.endpoint()));
      case OCI -> checked(location, () -> OciTarget.create(location.account(), location.bucket(), options.region(),
          options.endpoint()));
      case GCP_WIF -> throw new IllegalArgumentException(location + " is a workload identity pool provider, not a "
          + "bucket: the server builds its publisher");
    };
  }

  /** A name or endpoint the store's SDK refuses is a wrong --mirror value: one line naming the flag and the URI. */
  private static MirrorTarget checked(MirrorLocation location, java.util.function.Supplier<MirrorTarget> create) {
    try {
      return create.get();
    } catch (IllegalArgumentException e) {
      throw new MirrorConfigException("--mirror", "'" + location + "': " + e.getMessage());
    }
  }
}
