package io.kubeassume.server;

import io.fabric8.kubernetes.client.Config;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.source.KeySource;
import io.kubeassume.source.files.FileKeySource;
import io.kubeassume.source.kubernetes.KubernetesKeySource;
import io.vertx.core.Vertx;
import java.io.IOException;

/** Picks the key source named by --source. */
final class KeySources {
  private KeySources() {}

  static KeySource create(Vertx vertx, ServeConfig config) throws IOException {
    return switch (config.source()) {
      case FILES -> new FileKeySource(vertx, config.keys());
      case KUBERNETES -> new KubernetesKeySource(vertx, config.issuer(), kubernetesConfig(config));
    };
  }

  /** Reads the kubeconfig once at start-up (before any event loop runs our code), so a bad one fails start-up. */
  private static Config kubernetesConfig(ServeConfig config) {
    return config.kubeconfig() == null
        ? Config.autoConfigure(null)
        : Config.fromKubeconfig(config.kubeconfig().toFile());
  }
}
