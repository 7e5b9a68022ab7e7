package io.kubeassume.packaging;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubeassume.cli.ServeParsing;
import io.kubeassume.server.KubeassumeServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * fabric8's mock API server in CRUD mode, and kubeassume replicas started from a rendered chart's
 * own environment and args (short leader-election timings), each authenticating with its pod name
 * as token so the requests the replicas made can be told from the test's own.
 */
final class ReplicaCluster implements AutoCloseable {
  static final Duration WITHIN = Duration.ofSeconds(30);
  static final String TOKEN_PREFIX = "replica-";

  final KubernetesMockServer apiServer;
  final KubernetesClient admin;
  final List<KubeassumeServer> replicas = new ArrayList<>();
  private final Path dir;

  ReplicaCluster(Path dir) {
    this.dir = dir;
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
        new KubernetesMixedDispatcher(responses), false);
    apiServer.init();
    admin = apiServer.createClient();
  }

  /** A replica started from the chart's environment, pointed at the mock API server, with short timings. */
  KubeassumeServer replica(Rendered chart, String podName) throws Exception {
    if (!podName.startsWith(TOKEN_PREFIX)) {
      throw new IllegalArgumentException("a replica's name starts with " + TOKEN_PREFIX);
    }
    PodRuntime pod = new PodRuntime(chart, Files.createDirectories(dir.resolve(podName)), Map.of());
    Map<String, String> env = new LinkedHashMap<>(pod.environment());
    env.put("POD_NAME", podName);
    env.put("KUBEASSUME_KUBECONFIG", kubeconfig(podName).toString());
    env.put("KUBEASSUME_BIND", "127.0.0.1");
    // Free ports, not 0: Vert.x cannot share port 0 between the server's several verticle instances.
    env.put("KUBEASSUME_PORT", String.valueOf(freePort()));
    env.put("KUBEASSUME_MANAGEMENT_PORT", String.valueOf(freePort()));
    env.put("KUBEASSUME_POLL_INTERVAL", "1s");
    env.put("KUBEASSUME_LEASE_DURATION", "4s");
    env.put("KUBEASSUME_RENEW_DEADLINE", "3s");
    env.put("KUBEASSUME_RETRY_PERIOD", "500ms");
    KubeassumeServer server = KubeassumeServer.start(ServeParsing.serve(env, pod.args()).config())
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    replicas.add(server);
    return server;
  }

  /**
   * What the API server serves as its issuer (expectations in front of the CRUD store, replacing
   * any set before): a discovery document naming {@code issuer} and the JWKS of {@code keys}.
   */
  void apiServerServes(String issuer, RSAKey... keys) {
    apiServer.clearExpectations();
    expectIssuer(issuer, keys);
  }

  /** Adds the issuer documents to the expectations set before (clear them first to replace older ones). */
  void expectIssuer(String issuer, RSAKey... keys) {
    StringBuilder jwks = new StringBuilder("{\"keys\":[");
    for (int i = 0; i < keys.length; i++) {
      RSAKey pub = new RSAKey.Builder(keys[i].toPublicJWK()).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).build();
      jwks.append(i == 0 ? "" : ",").append(pub.toJSONString());
    }
    jwks.append("]}");
    apiServer.expect().get().withPath("/.well-known/openid-configuration")
        .andReturn(200, "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"https://10.0.0.1:6443/openid/v1/jwks\","
            + "\"response_types_supported\":[\"id_token\"],\"subject_types_supported\":[\"public\"],"
            + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}")
        .always();
    apiServer.expect().get().withPath("/openid/v1/jwks").andReturn(200, jwks.toString()).always();
  }

  /** Stops a replica (releasing the Lease if it holds it). */
  void stop(KubeassumeServer replica) throws Exception {
    replicas.remove(replica);
    replica.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** The one replica leading, once there is exactly one. */
  KubeassumeServer awaitLeader() throws InterruptedException {
    await("one leader", () -> replicas.stream().filter(KubeassumeServer::leading).count() == 1);
    return replicas.stream().filter(KubeassumeServer::leading).findFirst().orElseThrow();
  }

  /** Requests the replicas made, by access, with counts; the test's own (and other tokens') are left out. */
  Map<ApiAccess, Integer> replicaAccesses() throws InterruptedException {
    Map<ApiAccess, Integer> out = new LinkedHashMap<>();
    RecordedRequest r;
    while ((r = apiServer.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      String auth = r.getHeader("Authorization");
      if (auth != null && auth.startsWith("Bearer " + TOKEN_PREFIX)) {
        out.merge(ApiAccess.of(r.getMethod(), r.getPath()), 1, Integer::sum);
      }
    }
    return out;
  }

  /** A kubeconfig for the mock API server that authenticates with {@code token}. */
  String kubeconfigText(String token) {
    return """
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
        current-context: mock
        """.formatted(apiServer.url("/").replaceAll("/$", ""), token);
  }

  private Path kubeconfig(String token) throws IOException {
    Path file = dir.resolve("kubeconfig-" + token);
    Files.writeString(file, kubeconfigText(token));
    return file;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(WITHIN);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() throws Exception {
    for (KubeassumeServer s : List.copyOf(replicas)) {
      stop(s);
    }
    admin.close();
    apiServer.destroy();
  }
}
