package io.kubeassume.fleet.kubernetes;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.fleet.IssuerSpec;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.source.KeySource;
import io.kubeassume.source.KeySourceException;
import io.kubeassume.source.kubernetes.KubernetesKeySource;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * An OIDCIssuer's {@code source.apiServer}: a remote cluster's own issuer documents, read as
 * {@code --source kubernetes} reads the local ones (the issuer checked before and after the keys),
 * through a client built from the kubeconfig in a Secret beside the issuer. The client is rebuilt when
 * that Secret changes, and closed with the source. Polled (an API server has no watch for its keys).
 */
public final class ApiServerKeySource implements KeySource {
  private final Vertx vertx;
  private final IssuerUrl issuer;
  private final IssuerSpec.ApiServer spec;
  private final SecretWatch secrets;
  private SecretWatch.Subscription subscription;
  /** The kubeconfig the client was built from; rebuilt when it changes. */
  private byte[] kubeconfig;
  private KubernetesClient client;
  private KubernetesKeySource reader;

  public ApiServerKeySource(Vertx vertx, IssuerUrl issuer, IssuerSpec.ApiServer spec, SecretWatch secrets) {
    this.vertx = vertx;
    this.issuer = issuer;
    this.spec = spec;
    this.secrets = secrets;
  }

  @Override
  public String name() {
    return "apiServer";
  }

  @Override
  public Future<List<SigningKey>> fetch() {
    // The kubeconfig is read on a worker (a Secret GET); the documents are read on the event loop, asynchronously.
    return vertx.executeBlocking(this::currentReader, false).compose(KubernetesKeySource::fetch);
  }

  private synchronized KubernetesKeySource currentReader() throws KeySourceException {
    if (subscription == null) {
      // Only to drop the client when the kubeconfig changes; the next read builds the new one.
      subscription = secrets.subscribe(spec.namespace(), spec.secretName(), s -> forget());
    }
    String where = "secret " + spec.namespace() + "/" + spec.secretName();
    Secret secret = secrets.get(spec.namespace(), spec.secretName());
    if (secret == null) {
      throw new KeySourceException(where + " (the remote API server's kubeconfig) does not exist");
    }
    byte[] bytes = SecretKeySource.item(secret, spec.key());
    if (bytes == null) {
      throw new KeySourceException(where + " has no item " + spec.key() + " holding a kubeconfig; set "
          + "source.apiServer.kubeconfigSecret.key to the item that does");
    }
    if (reader == null || !Arrays.equals(bytes, kubeconfig)) {
      closeClient();
      Config config;
      try {
        config = Config.fromKubeconfig(new String(bytes, StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        throw new KeySourceException(where + " item " + spec.key() + " is not a usable kubeconfig: " + e.getMessage());
      }
      config.setRequestRetryBackoffLimit(0);
      client = new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new Vertx5HttpClientFactory(vertx)).build();
      reader = new KubernetesKeySource(vertx, issuer, client);
      kubeconfig = bytes;
    }
    return reader;
  }

  private synchronized void forget() {
    closeClient();
  }

  private void closeClient() {
    if (client != null) {
      client.close();
    }
    client = null;
    reader = null;
    kubeconfig = null;
  }

  @Override
  public synchronized void close() {
    if (subscription != null) {
      subscription.cancel();
    }
    closeClient();
  }
}
