package io.kubeassume.source.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The one fabric8 client of a server (source, ConfigMap store, Lease, fleet watches) and its Vert.x. */
public final class KubernetesClients {
  /**
   * How long the client's event loop may run one task before Vert.x warns: decoding a list of
   * 10,000 OIDCIssuer objects takes 3-4 s on a cold JVM, and that is expected there.
   */
  private static final long DECODE_WARNING_SECONDS = 60;

  private KubernetesClients() {}

  /**
   * The Vert.x instance for the client: its own, with one event loop, never the application's. fabric8
   * decodes every response where it arrives, on the event loop of the connection; on the application's
   * loops a fleet's list (thousands of objects, seconds to decode) stalled the public port and the
   * health endpoints. Here it delays only other API requests. Close it after the client.
   */
  public static Vertx dedicatedVertx() {
    return Vertx.vertx(new VertxOptions()
        .setEventLoopPoolSize(1)
        .setWorkerPoolSize(2)
        .setInternalBlockingPoolSize(2)
        .setMaxEventLoopExecuteTime(DECODE_WARNING_SECONDS)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS)
        .setFileSystemOptions(new FileSystemOptions().setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
  }

  /** Which API server the client talks to and where that came from, for the start-up line. */
  public static String describe(KubernetesClient client) {
    Config config = client.getConfiguration();
    java.io.File file = config.getFile();
    return config.getMasterUrl() + " (" + (file != null ? "kubeconfig " + file : "in-cluster service account") + ")";
  }

  /**
   * Reads the kubeconfig now (no request is made), so a broken one fails start-up.
   *
   * @param vertx where the client runs: {@link #dedicatedVertx()} in a server
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
