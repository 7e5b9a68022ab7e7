package io.kubeassume.mirror.s3;

import io.kubeassume.mirror.MirrorConfigException;
import io.kubeassume.mirror.MirrorLocation;
import io.kubeassume.mirror.MirrorOptions;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/** Builds an {@link S3Target} for an {@code s3://} location with the SDK's default credential chain. */
public final class S3Targets {
  /** What S3-compatible stores and emulators accept when no region is given. */
  static final Region COMPATIBLE_DEFAULT_REGION = Region.US_EAST_1;

  private S3Targets() {}

  public static S3Target create(MirrorLocation location, MirrorOptions options) {
    // A custom endpoint is an S3-compatible store: those mostly need path-style addressing.
    boolean compatible = options.endpoint() != null;
    return S3Target.create(location.bucket(), region(location, options), options.endpoint(), compatible, null);
  }

  static Region region(MirrorLocation location, MirrorOptions options) {
    if (options.region() != null) {
      return Region.of(options.region());
    }
    if (options.endpoint() != null) {
      return COMPATIBLE_DEFAULT_REGION;
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException e) {
      throw new MirrorConfigException("--mirror-region", "no AWS region found for " + location
          + "; set --mirror-region to the bucket's region (e.g. eu-west-1), or AWS_REGION");
    }
  }
}
