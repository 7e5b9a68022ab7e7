package io.kubeassume.server;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubeassume.config.ClusterSettings;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.config.StoreType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * fabric8's mock API server in CRUD mode (ConfigMaps, Leases, watches; lists in pages, as a real
 * one answers them: {@link PagingDispatcher}) with the two OIDC paths
 * stubbed next to it, and one kubeconfig per replica. Each replica authenticates with its own
 * token, so the recorded requests show which replica read the API server's keys.
 */
final class MockCluster implements AutoCloseable {
  static final String NAMESPACE = "oidc";
  static final String CONFIGMAP = "kubeassume-oidc";

  final KubernetesMockServer apiServer;
  final KubernetesClient client;
  final PagingDispatcher dispatcher;
  private final Path dir;
  private boolean stopped;

  MockCluster(Path dir) {
    this.dir = dir;
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    dispatcher = new PagingDispatcher(responses);
    apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
    apiServer.init();
    client = apiServer.createClient();
  }

  /** What the API server serves for its issuer: its discovery document and the keys' JWKS. */
  void serves(String issuer, RSAKey... keys) throws Exception {
    apiServer.clearExpectations();
    apiServer.expect().get().withPath("/.well-known/openid-configuration")
        .andReturn(200, "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"https://10.0.0.1:6443/openid/v1/jwks\","
            + "\"response_types_supported\":[\"id_token\"],\"subject_types_supported\":[\"public\"],"
            + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}")
        .always();
    apiServer.expect().get().withPath("/openid/v1/jwks").andReturn(200, KubernetesSourceTest.jwks(keys)).always();
  }

  /** The OIDC paths fail (the Lease and the ConfigMap still work). */
  void oidcFails(int status) {
    apiServer.clearExpectations();
    apiServer.expect().get().withPath("/.well-known/openid-configuration").andReturn(status, "boom").always();
    apiServer.expect().get().withPath("/openid/v1/jwks").andReturn(status, "boom").always();
  }

  Path kubeconfig(String token) throws Exception {
    return kubeconfig(token, apiServer.url("/"));
  }

  /** A kubeconfig for {@code token} pointing at {@code server} (e.g. a {@link CuttableProxy}). */
  Path kubeconfig(String token, String server) throws Exception {
    Path file = dir.resolve("kubeconfig-" + token);
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
        users:
        - name: kubeassume
          user:
            token: %s
        contexts:
        - name: mock
          context:
            cluster: mock
            user: kubeassume
            namespace: %s
        current-context: mock
        """.formatted(server.replaceAll("/$", ""), token, NAMESPACE));
    return file;
  }

  /** A replica named {@code identity}; short election timings, yet long enough for a busy 2-core machine. */
  ServeConfig.Builder replica(String issuer, String identity) throws Exception {
    return replica(issuer, identity, apiServer.url("/"));
  }

  /** A replica that reaches the API server at {@code server} (a {@link CuttableProxy} in front of it). */
  ServeConfig.Builder replica(String issuer, String identity, String server) throws Exception {
    return TestServer.kubernetesConfig(issuer, kubeconfig(identity, server))
        .store(StoreType.CONFIGMAP)
        .pollInterval(Duration.ofSeconds(1))
        .cluster(new ClusterSettings(NAMESPACE, CONFIGMAP, "kubeassume", identity,
            Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofMillis(500)));
  }

  /** Who holds the Lease now, as the API server says. */
  String leaseHolder() {
    return client.leases().inNamespace(NAMESPACE).withName("kubeassume").get().getSpec().getHolderIdentity();
  }

  /** Writes (PUT/POST/PATCH) of the ConfigMap among {@code requests}. */
  static long configMapWrites(List<RecordedRequest> requests) {
    return requests.stream().filter(r -> r.getPath() != null && r.getPath().contains("/configmaps")
        && List.of("PUT", "POST", "PATCH").contains(r.getMethod())).count();
  }

  ConfigMap configMap() {
    return client.configMaps().inNamespace(NAMESPACE).withName(CONFIGMAP).get();
  }

  /** Takes every request recorded so far. */
  List<RecordedRequest> drainRequests() throws InterruptedException {
    List<RecordedRequest> out = new ArrayList<>();
    RecordedRequest r;
    while ((r = apiServer.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      out.add(r);
    }
    return out;
  }

  /** The tokens (replica identities) that read the API server's JWKS, from the requests drained. */
  static List<String> jwksReaders(List<RecordedRequest> requests) {
    return requests.stream().filter(r -> "/openid/v1/jwks".equals(r.getPath()))
        .map(r -> r.getHeader("Authorization")).map(h -> h == null ? "none" : h.replaceFirst("^Bearer ", ""))
        .distinct().toList();
  }

  static List<String> servedKids(TestServer t, String jwksPath) throws Exception {
    return JWKSet.parse(t.get(t.publicUri(jwksPath)).body()).getKeys().stream().map(k -> k.getKeyID()).toList();
  }

  /** Makes the API server unreachable (connections refused). */
  void stop() {
    if (!stopped) {
      stopped = true;
      client.close();
      apiServer.destroy();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
