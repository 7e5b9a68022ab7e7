package io.kubeassume.packaging;

import static io.kubeassume.packaging.ReplicaCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kubeassume.server.KubeassumeServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chart's fleet RBAC grants exactly what the real server uses. Two replicas, started from the
 * chart's own environment with {@code fleet.enabled}, run against fabric8's mock API server (with
 * the chart's CRD) through a leader election, OIDCIssuer objects with a Secret source (one whose
 * Secret comes later) and with a remote API server source, a conflicting claim, an object in a
 * namespace that is not watched, key rotations whose status writes meet a 409, and a fail-over; every request they made is then authorized against the rendered Roles and
 * ClusterRoles bound to the chart's service account, as Kubernetes' RBAC authorizer would. Each
 * request must be allowed, and each thing granted (per namespace) must have been used. Requests
 * to the remote cluster carry that cluster's own token and are left out: its RBAC is its own.
 */
class FleetChartRbacTest {
  static final ResourceDefinitionContext OIDC_ISSUERS = new ResourceDefinitionContext.Builder()
      .withGroup("kubeassume.io").withVersion("v1alpha1").withKind("OIDCIssuer").withPlural("oidcissuers")
      .withNamespaced(true).build();
  static final String BASE = "https://oidc.example.com/clusters/";
  static final String PROD = BASE + "prod";
  static final String REMOTE = BASE + "remote";
  static final String DEV = BASE + "dev";
  static final String OTHER = BASE + "other";

  @TempDir
  Path dir;
  ReplicaCluster cluster;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      watched namespaces | fleet: {enabled: true, watchNamespaces: [team-a, team-b], issuerUrlPrefixes: ['https://oidc.example.com/clusters/']}
      every namespace    | fleet: {enabled: true}
      """)
  void rolesGrantExactlyWhatTheFleetUses(String description, String values) throws Exception {
    Rendered chart = Charts.renderExactly(values);
    boolean everyNamespace = !chart.env().containsKey("KUBEASSUME_WATCH_NAMESPACES");
    RbacAuthorizer rbac = RbacAuthorizer.forServiceAccount(chart, Charts.NAMESPACE, "kubeassume");
    cluster = new ReplicaCluster(dir);
    cluster.admin.apiextensions().v1().customResourceDefinitions().resource(chart.one(CustomResourceDefinition.class)).create();
    for (String ns : List.of(Charts.NAMESPACE, "team-a", "team-b", "team-c")) {
      cluster.admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    }

    // team-a: a hosted control plane's Secret (its private key beside the public one), and a remote
    // cluster reached with a kubeconfig that carries that cluster's own token.
    RSAKey prod1 = rsa();
    secret("team-a", "prod-keys", Map.of("sa.pub", pem(prod1), "sa.key", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"));
    issuer("team-a", "prod", PROD, Map.of("secret", Map.of("name", "prod-keys", "items", List.of("sa.pub"))));
    RSAKey remote1 = rsa();
    cluster.apiServerServes(REMOTE, remote1);
    secret("team-a", "remote-kubeconfig", Map.of("kubeconfig", cluster.kubeconfigText("remote-cluster")));
    issuer("team-a", "remote", REMOTE, Map.of("apiServer", Map.of("kubeconfigSecret", Map.of("name", "remote-kubeconfig"))));
    // team-b: an issuer whose Secret comes later, and a copy claiming prod's URL.
    issuer("team-b", "dev", DEV, Map.of("secret", Map.of("name", "dev-keys", "items", List.of("service-account.pub"))));
    issuer("team-b", "copy", PROD, Map.of("secret", Map.of("name", "copy-keys", "items", List.of("sa.pub"))));
    // team-c: read only when every namespace is watched.
    RSAKey other1 = rsa();
    secret("team-c", "other-keys", Map.of("sa.pub", pem(other1)));
    issuer("team-c", "other", OTHER, Map.of("secret", Map.of("name", "other-keys", "items", List.of("sa.pub"))));

    cluster.replica(chart, "replica-1");
    cluster.replica(chart, "replica-2");
    KubeassumeServer leader = cluster.awaitLeader();
    await("dev's missing Secret is reported", () -> condition("team-b", "dev", "SourceReachable").startsWith("False/SourceError")
        && condition("team-b", "dev", "SourceReachable").contains("does not exist"));
    RSAKey dev1 = rsa();
    secret("team-b", "dev-keys", Map.of("service-account.pub", pem(dev1)));
    for (KubeassumeServer r : cluster.replicas) {
      await("every replica serves every issuer", () -> serves(r, "/clusters/prod", prod1) && serves(r, "/clusters/remote", remote1)
          && serves(r, "/clusters/dev", dev1));
    }
    for (String[] ready : List.of(new String[] {"team-a", "prod"}, new String[] {"team-a", "remote"}, new String[] {"team-b", "dev"})) {
      await(ready[1] + " is Ready", () -> condition(ready[0], ready[1], "Ready").startsWith("True/Serving"));
    }
    await("the copy is in conflict", () -> condition("team-b", "copy", "Ready").startsWith("False/IssuerConflict"));
    for (KubeassumeServer r : cluster.replicas) {
      if (everyNamespace) {
        await("team-c's issuer is served", () -> serves(r, "/clusters/other", other1));
      } else {
        assertEquals(404, get(r, "/clusters/other/openid/v1/jwks").statusCode(), "team-c is not watched");
      }
    }
    if (!everyNamespace) {
      assertNull(object("team-c", "other").getAdditionalProperties().get("status"), "nothing written outside the watched namespaces");
    }

    // Rotations in both namespaces, whose next status write meets a conflict: the leader re-reads the object.
    conflictOnce("team-a", "prod");
    conflictOnce("team-b", "dev");
    RSAKey prod2 = rsa();
    RSAKey dev2 = rsa();
    secret("team-a", "prod-keys", Map.of("sa.pub", pem(prod2)));
    secret("team-b", "dev-keys", Map.of("service-account.pub", pem(dev2)));
    for (KubeassumeServer r : cluster.replicas) {
      await("the rotations are served", () -> serves(r, "/clusters/prod", prod2) && serves(r, "/clusters/dev", dev2));
    }

    cluster.stop(leader); // releases the Lease
    KubeassumeServer survivor = cluster.replicas.get(0);
    await("the other replica takes over", survivor::leading);
    RSAKey prod3 = rsa();
    secret("team-a", "prod-keys", Map.of("sa.pub", pem(prod3)));
    await("the new leader syncs and keeps the retired keys", () -> serves(survivor, "/clusters/prod", prod3)
        && serves(survivor, "/clusters/prod", prod2) && serves(survivor, "/clusters/prod", prod1));
    assertFalse(serves(survivor, "/clusters/prod", rsa()), "a key never published is not served");

    Map<ApiAccess, Integer> accesses = cluster.replicaAccesses();
    Set<RbacAuthorizer.Grant> used = new LinkedHashSet<>();
    List<String> forbidden = new ArrayList<>();
    accesses.keySet().forEach(access -> rbac.allows(access).ifPresentOrElse(used::add, () -> forbidden.add(access.toString())));
    String seen = accesses.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining("\n  "));
    assertEquals(List.of(), forbidden, "requests the chart's RBAC forbids; all requests seen:\n  " + seen);
    Set<RbacAuthorizer.Grant> unused = new LinkedHashSet<>(rbac.grants());
    unused.removeAll(used);
    assertEquals(Set.of(), unused, "granted but never used; all requests seen:\n  " + seen);
    assertTrue(used.size() > 8, "the scenario exercised the server: " + seen);
  }

  /** docs/security.md shows the Role the chart renders in each watched namespace, so the two cannot drift apart. */
  @Test
  void securityDocShowsTheFleetsRole() throws IOException {
    String doc = Files.readString(Repo.file("docs/security.md"));
    int section = doc.indexOf("\n## A fleet: Secrets of the watched namespaces only");
    assertTrue(section > 0, "docs/security.md has the fleet's RBAC section");
    int start = doc.indexOf("```yaml\n", section) + "```yaml\n".length();
    Role documented = Rendered.parse(doc.substring(start, doc.indexOf("```", start))).one(Role.class);
    Role chart = Charts.renderExactly("fleet: {enabled: true, watchNamespaces: [tenant-prod]}\n").all(Role.class).stream()
        .filter(r -> r.getMetadata().getNamespace().equals("tenant-prod")).findFirst().orElseThrow();
    assertEquals(rules(chart.getRules()), rules(documented.getRules()), "docs/security.md's fleet Role differs from the chart's");
    assertEquals(chart.getMetadata().getName(), documented.getMetadata().getName());
  }

  private static Set<String> rules(List<PolicyRule> rules) {
    return rules.stream().map(r -> r.getApiGroups() + "|" + r.getResources() + "|" + r.getResourceNames() + "|" + r.getVerbs())
        .collect(Collectors.toSet());
  }

  private void secret(String ns, String name, Map<String, String> items) {
    Map<String, String> data = new LinkedHashMap<>();
    items.forEach((k, v) -> data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    cluster.admin.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName(name).endMetadata()
        .withData(data).build()).createOr(r -> r.update());
  }

  private void issuer(String ns, String name, String url, Map<String, Object> source) {
    GenericKubernetesResource r = new GenericKubernetesResourceBuilder()
        .withApiVersion("kubeassume.io/v1alpha1").withKind("OIDCIssuer")
        .withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .addToAdditionalProperties("spec", Map.of("issuerURL", url, "source", source))
        .build();
    cluster.admin.genericKubernetesResources(OIDC_ISSUERS).inNamespace(ns).resource(r).create();
  }

  /** The next PUT of the object's status fails with 409, as when another writer got there first. */
  private void conflictOnce(String ns, String name) {
    cluster.apiServer.expect().put().withPath("/apis/kubeassume.io/v1alpha1/namespaces/" + ns + "/oidcissuers/" + name + "/status")
        .andReturn(409, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\","
            + "\"code\":409,\"message\":\"the object has been modified; please apply your changes to the latest version\"}")
        .once();
  }

  private GenericKubernetesResource object(String ns, String name) {
    return cluster.admin.genericKubernetesResources(OIDC_ISSUERS).inNamespace(ns).withName(name).get();
  }

  /** "STATUS/REASON: message" of a condition of the object's status, or "none". */
  private String condition(String ns, String name, String type) {
    GenericKubernetesResource r = object(ns, name);
    Object status = r == null ? null : r.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> s) || !(s.get("conditions") instanceof List<?> conditions)) {
      return "none";
    }
    for (Object c : conditions) {
      if (c instanceof Map<?, ?> m && type.equals(m.get("type"))) {
        return m.get("status") + "/" + m.get("reason") + ": " + m.get("message");
      }
    }
    return "none";
  }

  /** Whether the replica's public port serves {@code key} in the JWKS of the issuer at {@code path}. */
  private boolean serves(KubeassumeServer replica, String path, RSAKey key) {
    HttpResponse<String> response = get(replica, path + "/openid/v1/jwks");
    return response.statusCode() == 200 && response.body().contains("\"" + key.getModulus() + "\"");
  }

  private HttpResponse<String> get(KubeassumeServer replica, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.publicPort() + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static RSAKey rsa() throws JOSEException {
    return new RSAKeyGenerator(2048).generate();
  }

  private static String pem(RSAKey key) throws JOSEException {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.toPublicKey().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }
}
