package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's Role and ClusterRole grant exactly what the real server uses. Two replicas, started
 * from the chart's own environment, run against fabric8's mock API server through a leader
 * election, a key rotation, a deleted ConfigMap and a fail-over; every request they made is then
 * authorized against the rendered rules the way Kubernetes' RBAC authorizer would. Each request
 * must be allowed, and each thing granted must have been used.
 */
class ChartRbacTest {
  static final Duration WITHIN = Duration.ofSeconds(30);

  @TempDir
  Path dir;
  KubernetesMockServer apiServer;
  KubernetesClient admin;
  final List<KubeassumeServer> replicas = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (KubeassumeServer s : replicas) {
      s.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    if (admin != null) {
      admin.close();
    }
    if (apiServer != null) {
      apiServer.destroy();
    }
  }

  @Test
  void roleAndClusterRoleGrantExactlyWhatTheServerUses() throws Exception {
    Rendered chart = Charts.render("");
    String configMap = chart.env().get("KUBEASSUME_CONFIGMAP");
    RbacAuthorizer rbac = new RbacAuthorizer(Charts.NAMESPACE,
        chart.one(Role.class).getRules(), chart.one(ClusterRole.class).getRules());

    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    apiServer = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
        new KubernetesMixedDispatcher(responses), false);
    apiServer.init();
    admin = apiServer.createClient();
    RSAKey a = new RSAKeyGenerator(2048).keyID("key-a").generate();
    RSAKey b = new RSAKeyGenerator(2048).keyID("key-b").generate();
    serves(a);

    KubeassumeServer first = replica(chart, "replica-1");
    KubeassumeServer second = replica(chart, "replica-2");
    await("one leader", () -> replicas.stream().filter(KubeassumeServer::leading).count() == 1);
    await("the ConfigMap is written", () -> configMapHolds(configMap, "key-a"));

    serves(a, b); // a rotation: the leader updates the ConfigMap
    await("the rotation is in the ConfigMap", () -> configMapHolds(configMap, "key-b"));

    admin.configMaps().inNamespace(Charts.NAMESPACE).withName(configMap).delete();
    await("the deleted ConfigMap is re-created", () -> configMapHolds(configMap, "key-b"));

    KubeassumeServer leader = first.leading() ? first : second;
    KubeassumeServer follower = leader == first ? second : first;
    replicas.remove(leader);
    leader.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS); // releases the Lease
    await("the other replica takes over", follower::leading);
    serves(b); // the new leader writes: a retires
    await("the new leader writes the ConfigMap", () -> configMapHolds(configMap, "retiredAt"));

    Map<ApiAccess, Integer> accesses = serverAccesses();
    Set<RbacAuthorizer.Grant> used = new LinkedHashSet<>();
    List<String> forbidden = new ArrayList<>();
    accesses.keySet().forEach(access -> rbac.allows(access).ifPresentOrElse(used::add, () -> forbidden.add(access.toString())));

    String seen = accesses.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining("\n  "));
    assertEquals(List.of(), forbidden, "requests the chart's RBAC forbids; all requests seen:\n  " + seen);
    Set<RbacAuthorizer.Grant> unused = new LinkedHashSet<>(rbac.grants());
    unused.removeAll(used);
    assertEquals(Set.of(), unused, "granted but never used; all requests seen:\n  " + seen);
    assertTrue(used.size() > 5, "the scenario exercised the server: " + seen);
  }

  /** docs/security.md shows the rules the chart renders, so the two cannot drift apart. */
  @Test
  void securityDocShowsTheChartsRules() throws Exception {
    String doc = Files.readString(Repo.file("docs/security.md"));
    int section = doc.indexOf("\n## RBAC");
    int start = doc.indexOf("```yaml\n", section) + "```yaml\n".length();
    Rendered documented = Rendered.parse(doc.substring(start, doc.indexOf("```", start)));
    Rendered chart = Charts.render("");
    assertEquals(rules(chart.one(Role.class).getRules()), rules(documented.one(Role.class).getRules()),
        "docs/security.md's Role differs from the chart's");
    assertEquals(rules(chart.one(ClusterRole.class).getRules()), rules(documented.one(ClusterRole.class).getRules()),
        "docs/security.md's ClusterRole differs from the chart's");
  }

  private static Set<String> rules(List<PolicyRule> rules) {
    return rules.stream().map(r -> String.join(",", nullToEmpty(r.getApiGroups())) + "|" + nullToEmpty(r.getResources())
        + "|" + nullToEmpty(r.getResourceNames()) + "|" + nullToEmpty(r.getNonResourceURLs()) + "|" + nullToEmpty(r.getVerbs()))
        .collect(Collectors.toSet());
  }

  private static List<String> nullToEmpty(List<String> list) {
    return list == null ? List.of() : list.stream().sorted().toList();
  }

  /** A replica started from the chart's environment, pointed at the mock API server, with short timings. */
  private KubeassumeServer replica(Rendered chart, String podName) throws Exception {
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

  private void serves(RSAKey... keys) {
    StringBuilder jwks = new StringBuilder("{\"keys\":[");
    for (int i = 0; i < keys.length; i++) {
      RSAKey pub = new RSAKey.Builder(keys[i].toPublicJWK()).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).build();
      jwks.append(i == 0 ? "" : ",").append(pub.toJSONString());
    }
    jwks.append("]}");
    apiServer.clearExpectations();
    apiServer.expect().get().withPath("/.well-known/openid-configuration")
        .andReturn(200, "{\"issuer\":\"" + Charts.ISSUER + "\",\"jwks_uri\":\"https://10.0.0.1:6443/openid/v1/jwks\","
            + "\"response_types_supported\":[\"id_token\"],\"subject_types_supported\":[\"public\"],"
            + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}")
        .always();
    apiServer.expect().get().withPath("/openid/v1/jwks").andReturn(200, jwks.toString()).always();
  }

  private boolean configMapHolds(String name, String text) {
    ConfigMap cm = admin.configMaps().inNamespace(Charts.NAMESPACE).withName(name).get();
    return cm != null && cm.getData() != null && cm.getData().values().stream().anyMatch(v -> v.contains(text));
  }

  /** Requests of the replicas (each authenticates with its pod name as token); the test's own are left out. */
  private Map<ApiAccess, Integer> serverAccesses() throws InterruptedException {
    Map<ApiAccess, Integer> out = new LinkedHashMap<>();
    RecordedRequest r;
    while ((r = apiServer.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      String auth = r.getHeader("Authorization");
      if (auth != null && auth.startsWith("Bearer replica-")) {
        out.merge(ApiAccess.of(r.getMethod(), r.getPath()), 1, Integer::sum);
      }
    }
    return out;
  }

  private Path kubeconfig(String token) throws Exception {
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
        current-context: mock
        """.formatted(apiServer.url("/").replaceAll("/$", ""), token));
    return file;
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(WITHIN);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }
}
