package io.kubeassume.source.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Vertx;
import java.nio.file.Path;

/** The one fabric8 client of a server (source, ConfigMap store, Lease), on the application's Vert.x. */
public final class KubernetesClients {
  private KubernetesClients() {}

  /** Which API server the client talks to and where that came from, for the start-up line. */
  public static String describe(KubernetesClient client) {
    Config config = client.getConfiguration();
    java.io.File file = config.getFile();
    return config.getMasterUrl() + " (" + (file != null ? "kubeconfig " + file : "in-cluster service account") + ")";
  }

  /**
   * Reads the kubeconfig now (no request is made), so a broken one fails start-up. fabric8 decodes each
   * response on the event loop it arrives on; that is one object per request or watch event here. The
   * fleet's lists, thousands of objects, are decoded a page at a time on worker threads by
   * {@code ListWatch}, not by fabric8's informer.
   *
   * @param kubeconfig null: KUBECONFIG or ~/.kube/config, else the in-cluster service account
   */
  public static KubernetesClient create(Vertx vertx, Path kubeconfig) {
    Config config = kubeconfig == null ? Config.autoConfigure(null) : Config.fromKubeconfig(kubeconfig.toFile());
    // fabric8 retries a 5xx with a growing backoff (for a minute and more); the sync loop's poll is
    // the retry here, and an error must show on /readyz at once rather than after the backoff.
    config.setRequestRetryBackoffLimit(0);
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
        .build();
  }
}
