package io.kubeassume.packaging;

import static io.kubeassume.packaging.ReplicaCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.kubeassume.server.KubeassumeServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  @TempDir
  Path dir;
  ReplicaCluster cluster;

  @AfterEach
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void roleAndClusterRoleGrantExactlyWhatTheServerUses() throws Exception {
    Rendered chart = Charts.render("");
    String configMap = chart.env().get("KUBEASSUME_CONFIGMAP");
    RbacAuthorizer rbac = RbacAuthorizer.forServiceAccount(chart, Charts.NAMESPACE, "kubeassume");

    cluster = new ReplicaCluster(dir);
    RSAKey a = new RSAKeyGenerator(2048).keyID("key-a").generate();
    RSAKey b = new RSAKeyGenerator(2048).keyID("key-b").generate();
    serves(a);

    cluster.replica(chart, "replica-1");
    cluster.replica(chart, "replica-2");
    KubeassumeServer leader = cluster.awaitLeader();
    await("the ConfigMap is written", () -> configMapHolds(configMap, "key-a"));

    serves(a, b); // a rotation: the leader updates the ConfigMap
    await("the rotation is in the ConfigMap", () -> configMapHolds(configMap, "key-b"));

    cluster.admin.configMaps().inNamespace(Charts.NAMESPACE).withName(configMap).delete();
    await("the deleted ConfigMap is re-created", () -> configMapHolds(configMap, "key-b"));

    cluster.stop(leader); // releases the Lease
    KubeassumeServer follower = cluster.replicas.get(0);
    await("the other replica takes over", follower::leading);
    serves(b); // the new leader writes: a retires
    await("the new leader writes the ConfigMap", () -> configMapHolds(configMap, "retiredAt"));

    Map<ApiAccess, Integer> accesses = cluster.replicaAccesses();
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

  private void serves(RSAKey... keys) {
    cluster.apiServerServes(Charts.ISSUER, keys);
  }

  private boolean configMapHolds(String name, String text) {
    ConfigMap cm = cluster.admin.configMaps().inNamespace(Charts.NAMESPACE).withName(name).get();
    return cm != null && cm.getData() != null && cm.getData().values().stream().anyMatch(v -> v.contains(text));
  }
}
