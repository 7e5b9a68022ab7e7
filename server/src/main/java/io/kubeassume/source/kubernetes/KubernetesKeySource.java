package io.kubeassume.source.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.keys.KeyParser;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.source.KeySource;
import io.kubeassume.source.KeySourceException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The API server's own service-account issuer documents ({@code --source kubernetes}). The API
 * server already publishes its public keys at {@code /openid/v1/jwks}; reading them from there
 * means kubeassume follows the cluster's key rotation without any key files.
 *
 * <p>Requests go through fabric8's HTTP client on the application's Vert.x (the Vert.x 5
 * transport), so authentication (in-cluster token, kubeconfig) is fabric8's and nothing blocks
 * an event loop: the calls are asynchronous and their results are handed back to the caller's
 * context.
 */
public final class KubernetesKeySource implements KeySource {
  static final String DISCOVERY_PATH = "/.well-known/openid-configuration";
  static final String JWKS_PATH = "/openid/v1/jwks";
  static final long REQUEST_TIMEOUT_SECONDS = 10;

  private final Vertx vertx;
  private final IssuerUrl issuer;
  private final KubernetesClient client;
  private final String apiServer;

  /** Uses (does not own) a client from {@link KubernetesClients}; closing the source leaves it open. */
  public KubernetesKeySource(Vertx vertx, IssuerUrl issuer, KubernetesClient client) {
    this.vertx = vertx;
    this.issuer = issuer;
    this.client = client;
    String master = client.getMasterUrl().toString();
    // The master URL may carry a path prefix (a proxy); the documents sit under it.
    this.apiServer = master.endsWith("/") ? master.substring(0, master.length() - 1) : master;
  }

  @Override
  public String name() {
    return "kubernetes";
  }

  /**
   * Discovery, JWKS, discovery again: the keys count only if the issuer was right both before and
   * after they were read. Two requests are not atomic: during a rolling restart of API servers
   * behind a load balancer, one that changed its issuer (and keys) could answer the JWKS request;
   * the second check catches that, up to the limit in docs/security.md.
   */
  @Override
  public Future<List<SigningKey>> fetch() {
    // Checking the issuer first means a misconfigured cluster never gets its keys read at all.
    return get(DISCOVERY_PATH)
        .compose(body -> checkIssuer(body, ""))
        .compose(ignored -> get(JWKS_PATH))
        .compose(body -> {
          try {
            return Future.succeededFuture(KeyParser.parseJson("kubernetes API server " + apiServer + JWKS_PATH, body));
          } catch (Exception e) {
            return Future.failedFuture(e);
          }
        })
        .compose(keys -> get(DISCOVERY_PATH)
            .compose(body -> checkIssuer(body, " (it changed while the keys were read; none of them was published)"))
            .map(keys));
  }

  /** @param note appended to the message of a mismatch */
  private Future<Void> checkIssuer(String discoveryBody, String note) {
    String served;
    try {
      served = new JsonObject(discoveryBody).getString("issuer");
    } catch (DecodeException | ClassCastException e) {
      return Future.failedFuture(new KeySourceException("kubernetes API server " + apiServer + DISCOVERY_PATH
          + " is not a JSON discovery document with a string \"issuer\": " + e.getMessage()));
    }
    if (!issuer.value().equals(served)) {
      return Future.failedFuture(new IssuerMismatchException(IssuerMismatch.message(served, issuer.value()) + note));
    }
    return Future.succeededFuture();
  }

  /** GETs a non-resource path; the result completes on the caller's context. */
  private Future<String> get(String path) {
    Context context = vertx.getOrCreateContext();
    HttpClient http = client.getHttpClient();
    HttpRequest request = http.newHttpRequestBuilder()
        .uri(apiServer + path)
        .header("Accept", "application/json")
        .timeout(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .build();
    Future<HttpResponse<String>> response;
    try {
      response = Future.fromCompletionStage(http.sendAsync(request, String.class), context);
    } catch (RuntimeException e) {
      return Future.failedFuture(unreachable(path, e));
    }
    return response.transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(unreachable(path, ar.cause()));
      }
      HttpResponse<String> r = ar.result();
      if (!r.isSuccessful()) {
        return Future.failedFuture(new KeySourceException(HttpFailures.message(apiServer, path, r.code())));
      }
      return Future.succeededFuture(r.body() == null ? "" : r.body());
    });
  }

  private KeySourceException unreachable(String path, Throwable cause) {
    Throwable root = cause.getCause() != null && cause.getMessage() == null ? cause.getCause() : cause;
    return new KeySourceException("cannot reach the kubernetes API server " + apiServer + path + ": " + root, cause);
  }

  @Override
  public void close() {
    // The client is shared with the ConfigMap store and the leader election; the server closes it.
  }
}
