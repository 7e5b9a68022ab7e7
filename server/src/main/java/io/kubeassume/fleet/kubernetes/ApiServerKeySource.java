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
  /** The Secret as the watch last delivered it, or null (read it with a request). */
  private Secret latest;

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
      // The watch delivers every change of the kubeconfig Secret: the next read rebuilds the client from it.
      subscription = secrets.subscribe(spec.namespace(), spec.secretName(), this::changed);
    }
    if (reader != null) {
      return reader;
    }
    String where = "secret " + spec.namespace() + "/" + spec.secretName();
    // Read once, at the first read or after a change: not a request per poll.
    Secret secret = latest != null ? latest : secrets.get(spec.namespace(), spec.secretName());
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

  /** The kubeconfig Secret changed (null: deleted): the next read builds a client from it. */
  private synchronized void changed(Secret secret) {
    latest = secret;
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
