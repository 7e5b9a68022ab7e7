package io.kubeassume.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.source.KeySource;
import io.kubeassume.source.files.FileKeySource;
import io.kubeassume.source.kubernetes.KubernetesKeySource;
import io.vertx.core.Vertx;
import java.io.IOException;

/** Picks the key source named by --source. */
final class KeySources {
  private KeySources() {}

  /** @param client the server's Kubernetes client; null unless something talks to the cluster */
  static KeySource create(Vertx vertx, ServeConfig config, KubernetesClient client) throws IOException {
    return switch (config.source()) {
      case FILES -> new FileKeySource(vertx, config.keys());
      case KUBERNETES -> new KubernetesKeySource(vertx, config.issuer(), client);
    };
  }
}
