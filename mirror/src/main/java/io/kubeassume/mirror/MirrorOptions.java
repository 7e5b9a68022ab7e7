package io.kubeassume.mirror;

import java.net.URI;

/**
 * Settings shared by every {@code --mirror} target. Credentials are not here on purpose: each SDK
 * uses its own default chain (IRSA/EKS pod identity, GKE workload identity, Azure workload
 * identity, OCI resource/instance principal, or the usual environment variables and files).
 *
 * @param endpoint {@code --mirror-endpoint}: another endpoint than the cloud's own (S3-compatible
 *     stores, emulators), or {@code null}
 * @param region {@code --mirror-region}, or {@code null} for the SDK's default region lookup
 */
public record MirrorOptions(URI endpoint, String region) {
  public static final MirrorOptions DEFAULTS = new MirrorOptions(null, null);
}
