package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ChartDefaultsTest {
  private static final Rendered r = Charts.render("");

  @Test
  void rendersExactlyTheExpectedObjects() {
    assertEquals(Set.of(
            "PodDisruptionBudget/kubeassume",
            "ServiceAccount/kubeassume",
            "ClusterRole/kubeassume-issuer-discovery",
            "ClusterRoleBinding/kubeassume-issuer-discovery",
            "Role/kubeassume",
            "RoleBinding/kubeassume",
            "Service/kubeassume",
            "Service/kubeassume-management",
            "Deployment/kubeassume"),
        Set.copyOf(r.kindsAndNames()));
    assertTrue(r.all(Ingress.class).isEmpty());
  }

  @Test
  void twoReplicasWithLeaderElectionOverTheConfigMapStore() {
    assertEquals(2, r.deployment().getSpec().getReplicas());
    Map<String, String> env = r.env();
    assertEquals("configmap", env.get("KUBEASSUME_STORE"));
    assertEquals("kubeassume-oidc", env.get("KUBEASSUME_CONFIGMAP"));
    assertEquals("kubeassume", env.get("KUBEASSUME_LEASE_NAME"));
    assertFalse(env.containsKey("KUBEASSUME_STATE_FILE"));
    // Rolling updates never drop below the replica count; a PDB keeps one replica through drains.
    assertEquals(0, r.deployment().getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal());
    assertEquals(1, r.one(PodDisruptionBudget.class).getSpec().getMaxUnavailable().getIntVal());
  }

  @Test
  void serverSettingsArrivePassedAsEnvironmentTwins() {
    Map<String, String> env = r.env();
    assertEquals(Charts.ISSUER, env.get("KUBEASSUME_ISSUER_URL"));
    assertEquals("kubernetes", env.get("KUBEASSUME_SOURCE"));
    assertEquals("8080", env.get("KUBEASSUME_PORT"));
    assertEquals("9090", env.get("KUBEASSUME_MANAGEMENT_PORT"));
    assertEquals("24h", env.get("KUBEASSUME_OVERLAP"));
    assertEquals("300", env.get("KUBEASSUME_MAX_AGE"));
    assertEquals("100", env.get("KUBEASSUME_MAX_KEYS"));
    assertEquals("30s", env.get("KUBEASSUME_POLL_INTERVAL"));
    assertEquals("info", env.get("KUBEASSUME_LOG_LEVEL"));
    assertEquals("text", env.get("KUBEASSUME_LOG_FORMAT"));
    assertFalse(env.containsKey("KUBEASSUME_KEYS"), "kubernetes source takes no key files");
    assertFalse(env.containsKey("KUBEASSUME_MIRROR"), "no mirror unless targets are given");
    // Leader election finds its namespace and identity through the downward API.
    assertEquals("metadata.namespace", downward("POD_NAMESPACE"));
    assertEquals("metadata.name", downward("POD_NAME"));
  }

  @Test
  void everyEnvironmentVariableOfTheServerIsTheTwinOfAKnownFlag() {
    // The twins of the real serve command's flags, read from its picocli model.
    Set<String> twins = io.kubeassume.cli.ServeParsing.serveVariables();
    for (String name : Charts.render(Values.ALL_FEATURES).env().keySet()) {
      if (name.startsWith("KUBEASSUME_")) {
        assertTrue(twins.contains(name), name + " is not the env twin of any server flag");
      }
    }
  }

  @Test
  void containerIsHardened() {
    PodSecurityContext pod = r.pod().getSecurityContext();
    assertTrue(pod.getRunAsNonRoot());
    assertEquals(65532L, pod.getRunAsUser());
    assertEquals("RuntimeDefault", pod.getSeccompProfile().getType());

    SecurityContext c = r.container().getSecurityContext();
    assertTrue(c.getRunAsNonRoot());
    assertEquals(65532L, c.getRunAsUser());
    assertTrue(c.getReadOnlyRootFilesystem());
    assertFalse(c.getAllowPrivilegeEscalation());
    assertFalse(Boolean.TRUE.equals(c.getPrivileged()));
    assertEquals(List.of("ALL"), c.getCapabilities().getDrop());
    assertTrue(c.getCapabilities().getAdd() == null || c.getCapabilities().getAdd().isEmpty());
    assertEquals("RuntimeDefault", c.getSeccompProfile().getType());
    assertFalse(r.pod().getEnableServiceLinks());
  }

  @Test
  void readOnlyRootGetsAWritableTmpAndTheJvmUsesIt() {
    Volume tmp = r.pod().getVolumes().stream().filter(v -> v.getName().equals("tmp")).findFirst().orElseThrow();
    assertNotNull(tmp.getEmptyDir());
    assertTrue(r.container().getVolumeMounts().stream()
        .anyMatch(m -> m.getName().equals("tmp") && m.getMountPath().equals("/tmp")));
    String jvm = r.env().get("JDK_JAVA_OPTIONS");
    assertTrue(jvm.contains("-Djava.io.tmpdir=/tmp"), jvm);
    assertTrue(jvm.contains("-Dvertx.disableFileCaching=true"), jvm);
    assertTrue(jvm.contains("-Dvertx.cacheDirBase=/tmp/"), jvm);
  }

  @Test
  void jvmSizingFlagsAreTheReadmeRecommendation() throws Exception {
    assertEquals(JvmFlags.fromReadme(), JvmFlags.sizing(r.env().get("JDK_JAVA_OPTIONS")));
    // A JVM out of memory must exit and be restarted, never linger unable to serve (README, image and chart agree).
    assertTrue(JvmFlags.fromReadme().contains("-XX:+ExitOnOutOfMemoryError"));
  }

  @Test
  void probesHitTheManagementPort() {
    Container c = r.container();
    Map<String, Integer> ports = c.getPorts().stream()
        .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
    assertEquals(Map.of("http", 8080, "management", 9090), ports);
    assertProbe(c.getLivenessProbe(), "/healthz");
    assertProbe(c.getReadinessProbe(), "/readyz");
    assertProbe(c.getStartupProbe(), "/healthz");
    assertEquals(List.of("serve"), c.getArgs());
  }

  @Test
  void publicAndManagementServicesAreSeparate() {
    Service pub = r.find(Service.class, "kubeassume").orElseThrow();
    Service mgmt = r.find(Service.class, "kubeassume-management").orElseThrow();
    assertEquals(1, pub.getSpec().getPorts().size());
    assertEquals("http", pub.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    assertEquals(80, pub.getSpec().getPorts().get(0).getPort());
    assertEquals(1, mgmt.getSpec().getPorts().size());
    assertEquals("management", mgmt.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    assertEquals("ClusterIP", mgmt.getSpec().getType());
    Map<String, String> podLabels = r.deployment().getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(podLabels.entrySet().containsAll(pub.getSpec().getSelector().entrySet()));
    assertTrue(podLabels.entrySet().containsAll(mgmt.getSpec().getSelector().entrySet()));
  }

  @Test
  void clusterRoleGrantsOnlyTheTwoIssuerDocuments() {
    ClusterRole role = r.one(ClusterRole.class);
    assertEquals(1, role.getRules().size());
    PolicyRule rule = role.getRules().get(0);
    assertEquals(Set.of("/.well-known/openid-configuration", "/openid/v1/jwks"), Set.copyOf(rule.getNonResourceURLs()));
    assertEquals(List.of("get"), rule.getVerbs());
    assertTrue(rule.getResources() == null || rule.getResources().isEmpty());

    ClusterRoleBinding binding = r.one(ClusterRoleBinding.class);
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
    assertServiceAccountSubject(binding.getSubjects().get(0).getName(), binding.getSubjects().get(0).getNamespace());
    assertEquals(1, binding.getSubjects().size());
  }

  @Test
  void roleGrantsOnlyTheOneConfigMapAndTheOneLease() {
    Role role = r.one(Role.class);
    assertEquals(Charts.NAMESPACE, role.getMetadata().getNamespace());
    Set<String> grants = role.getRules().stream().flatMap(rule -> {
      assertEquals(1, rule.getApiGroups().size());
      assertEquals(1, rule.getResources().size());
      String names = rule.getResourceNames() == null || rule.getResourceNames().isEmpty() ? "*" : String.join(",", rule.getResourceNames());
      return rule.getVerbs().stream()
          .map(v -> rule.getApiGroups().get(0) + "/" + rule.getResources().get(0) + "/" + names + ":" + v);
    }).collect(Collectors.toSet());
    assertEquals(Set.of(
        "/configmaps/kubeassume-oidc:get",
        "/configmaps/kubeassume-oidc:list",
        "/configmaps/kubeassume-oidc:watch",
        "/configmaps/kubeassume-oidc:update",
        "/configmaps/*:create", // create cannot be limited by name
        "coordination.k8s.io/leases/kubeassume:get",
        "coordination.k8s.io/leases/kubeassume:patch", // fabric8's LeaderElector PATCHes, never PUTs
        "coordination.k8s.io/leases/*:create"), grants);
    // The names granted are the names the server is told to use.
    assertEquals("kubeassume-oidc", r.env().get("KUBEASSUME_CONFIGMAP"));
    assertEquals("kubeassume", r.env().get("KUBEASSUME_LEASE_NAME"));

    RoleBinding binding = r.one(RoleBinding.class);
    assertEquals("Role", binding.getRoleRef().getKind());
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
    assertEquals(1, binding.getSubjects().size());
    assertServiceAccountSubject(binding.getSubjects().get(0).getName(), binding.getSubjects().get(0).getNamespace());
  }

  @Test
  void podRunsAsTheChartsServiceAccountWithoutCloudAnnotations() {
    ServiceAccount sa = r.one(ServiceAccount.class);
    assertEquals(sa.getMetadata().getName(), r.pod().getServiceAccountName());
    assertTrue(sa.getMetadata().getAnnotations() == null || sa.getMetadata().getAnnotations().isEmpty());
    assertTrue(r.pod().getAutomountServiceAccountToken(), "the API server is needed for the source and the store");
    assertNull(r.deployment().getSpec().getTemplate().getMetadata().getLabels().get("azure.workload.identity/use"));
  }

  @Test
  void resourcesAndTopologySpread() {
    var resources = r.container().getResources();
    assertEquals("224Mi", resources.getLimits().get("memory").toString());
    assertEquals("160Mi", resources.getRequests().get("memory").toString());
    assertNull(resources.getLimits().get("cpu"), "no CPU limit: throttling would only add latency");
    var spread = r.pod().getTopologySpreadConstraints();
    assertEquals(List.of("kubernetes.io/hostname", "topology.kubernetes.io/zone"),
        spread.stream().map(s -> s.getTopologyKey()).collect(Collectors.toList()));
    spread.forEach(s -> assertEquals(r.deployment().getSpec().getSelector().getMatchLabels(),
        s.getLabelSelector().getMatchLabels()));
  }

  private void assertServiceAccountSubject(String name, String namespace) {
    assertEquals(r.one(ServiceAccount.class).getMetadata().getName(), name);
    assertEquals(Charts.NAMESPACE, namespace);
  }

  private String downward(String name) {
    EnvVar v = r.container().getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
    return v.getValueFrom().getFieldRef().getFieldPath();
  }

  private static void assertProbe(Probe probe, String path) {
    assertNotNull(probe);
    assertEquals(path, probe.getHttpGet().getPath());
    assertEquals("management", probe.getHttpGet().getPort().getStrVal());
  }
}
