package io.kubeassume.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The ConfigMap store and Lease leader election ({@code --store configmap}): where the shared
 * state lives, which Lease elects its one writer, who this replica is, and the election timing.
 */
public record ClusterSettings(
    String namespace,
    String configMap,
    String leaseName,
    String identity,
    Duration leaseDuration,
    Duration renewDeadline,
    Duration retryPeriod) {

  public static final String DEFAULT_CONFIGMAP = "kubeassume-oidc";
  public static final String DEFAULT_LEASE_NAME = "kubeassume";
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
  public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(10);
  public static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(2);

  public ClusterSettings {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(configMap, "configMap");
    Objects.requireNonNull(leaseName, "leaseName");
    Objects.requireNonNull(identity, "identity");
    // fabric8's LeaderElector refuses other orderings; checked here so the CLI can name the flag.
    if (leaseDuration.compareTo(renewDeadline) <= 0) {
      throw new IllegalArgumentException("--lease-duration must be longer than --renew-deadline");
    }
    if (renewDeadline.toMillis() <= retryPeriod.toMillis() * 1.2) {
      throw new IllegalArgumentException("--renew-deadline must be longer than 1.2 x --retry-period");
    }
  }

  /** Defaults for everything but where and who. */
  public static ClusterSettings of(String namespace, String identity) {
    return new ClusterSettings(namespace, DEFAULT_CONFIGMAP, DEFAULT_LEASE_NAME, identity,
        DEFAULT_LEASE_DURATION, DEFAULT_RENEW_DEADLINE, DEFAULT_RETRY_PERIOD);
  }

  public ClusterSettings withConfigMap(String name) {
    return new ClusterSettings(namespace, name, leaseName, identity, leaseDuration, renewDeadline, retryPeriod);
  }

  public ClusterSettings withLeaseName(String name) {
    return new ClusterSettings(namespace, configMap, name, identity, leaseDuration, renewDeadline, retryPeriod);
  }

  public ClusterSettings withTiming(Duration lease, Duration renew, Duration retry) {
    return new ClusterSettings(namespace, configMap, leaseName, identity, lease, renew, retry);
  }

  /** namespace/name of the ConfigMap, for logs and readiness. */
  public String configMapRef() {
    return namespace + "/" + configMap;
  }
}
