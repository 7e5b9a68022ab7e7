package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The chart with fleet.enabled: the environment, the CRD, the RBAC, the volumes and the Ingress of a fleet. */
class ChartFleetTest {
  static final String KUBERNETES = """
      fleet:
        enabled: true
        watchNamespaces: [team-a, team-b]
        issuerUrlPrefixes: ['https://oidc.example.com/clusters/']
      """;
  static final String FILE = """
      replicaCount: 1
      fleet:
        enabled: true
        source: file
        issuersConfigMap: fleet-issuers
        keySecrets:
          - {name: prod-eu-keys, items: [sa.pub]}
          - {name: dev-keys, items: [service-account.pub, extra.pub]}
      persistence:
        existingClaim: fleet-state
      """;

  @Test
  void kubernetesSourceServesTheObjectsOfTheWatchedNamespacesOnly() {
    Rendered r = Charts.renderExactly(KUBERNETES);
    Map<String, String> env = r.env();
    assertEquals("kubernetes", env.get("KUBEASSUME_ISSUERS"));
    assertEquals("team-a,team-b", env.get("KUBEASSUME_WATCH_NAMESPACES"));
    assertEquals("https://oidc.example.com/clusters/", env.get("KUBEASSUME_ISSUER_URL_PREFIX"));
    assertEquals("kubeassume", env.get("KUBEASSUME_LEASE_NAME"));
    for (String single : List.of("KUBEASSUME_ISSUER_URL", "KUBEASSUME_SOURCE", "KUBEASSUME_STORE", "KUBEASSUME_CONFIGMAP",
        "KUBEASSUME_KEYS", "KUBEASSUME_STATE_FILE", "KUBEASSUME_STATE_DIR", "KUBEASSUME_MIRROR")) {
      assertFalse(env.containsKey(single), single + " is a single issuer's setting");
    }
    assertEquals(2, r.deployment().getSpec().getReplicas(), "elected replicas, as for one issuer");
    assertTrue(r.pod().getAutomountServiceAccountToken());

    // A Role and its binding in each watched namespace, the Lease's in the release namespace, nothing cluster-wide.
    assertEquals(List.of("Role/kubeassume-issuers in team-a", "Role/kubeassume-issuers in team-b", "Role/kubeassume in kubeassume"),
        r.all(Role.class).stream().map(o -> "Role/" + o.getMetadata().getName() + " in " + o.getMetadata().getNamespace()).toList());
    for (RoleBinding b : r.all(RoleBinding.class)) {
      assertEquals("kubeassume", b.getSubjects().get(0).getName());
      assertEquals(Charts.NAMESPACE, b.getSubjects().get(0).getNamespace());
    }
    assertEquals(3, r.all(RoleBinding.class).size());
    assertTrue(r.all(ClusterRole.class).isEmpty(), "no Secret read outside the watched namespaces");
    assertTrue(r.all(ClusterRoleBinding.class).isEmpty());
    Role issuers = r.all(Role.class).get(0);
    assertEquals(List.of("oidcissuers", "oidcissuers/status", "secrets"),
        issuers.getRules().stream().flatMap(rule -> rule.getResources().stream()).toList());
    assertEquals(List.of("update"), issuers.getRules().get(1).getVerbs(), "the status is PUT, never patched or created");
  }

  @Test
  void withoutWatchedNamespacesOneClusterRoleReadsEveryNamespace() {
    Rendered r = Charts.renderExactly("fleet: {enabled: true}\n");
    assertFalse(r.env().containsKey("KUBEASSUME_WATCH_NAMESPACES"));
    assertFalse(r.env().containsKey("KUBEASSUME_ISSUER_URL_PREFIX"));
    assertEquals("kubeassume-issuers", r.one(ClusterRole.class).getMetadata().getName());
    assertEquals("kubeassume-issuers", r.one(ClusterRoleBinding.class).getRoleRef().getName());
    assertEquals(List.of("Role/kubeassume"), r.all(Role.class).stream().map(o -> "Role/" + o.getMetadata().getName()).toList());
    assertTrue(r.one(ClusterRole.class).getRules().stream().anyMatch(rule -> rule.getResources().contains("secrets")));
  }

  @Test
  void theChartsCrdIsDeployCrdsFileAndIsKeptOnUninstall() throws IOException {
    CustomResourceDefinition file = Serialization.unmarshal(
        Files.readString(Repo.file("deploy/crds/oidcissuers.kubeassume.io.yaml")), CustomResourceDefinition.class);
    CustomResourceDefinition chart = Charts.renderExactly(KUBERNETES).one(CustomResourceDefinition.class);
    assertEquals(file.getMetadata().getName(), chart.getMetadata().getName());
    assertEquals(file.getApiVersion(), chart.getApiVersion());
    assertEquals(file.getSpec(), chart.getSpec(),
        "templates/crd-oidcissuers.yaml differs from deploy/crds/oidcissuers.kubeassume.io.yaml: copy the file's spec");
    assertEquals("keep", chart.getMetadata().getAnnotations().get("helm.sh/resource-policy"));
    assertEquals("kubeassume", chart.getMetadata().getLabels().get("app.kubernetes.io/name"));
  }

  @Test
  void theCrdIsLeftOutWhenSwitchedOffOrNotNeeded() {
    assertTrue(Charts.renderExactly("fleet: {enabled: true, crd: {install: false}}\n").all(CustomResourceDefinition.class).isEmpty());
    assertTrue(Charts.renderExactly(FILE).all(CustomResourceDefinition.class).isEmpty(), "an issuers file needs no CRD");
    assertTrue(Charts.render("").all(CustomResourceDefinition.class).isEmpty(), "a single issuer needs no CRD");
  }

  @Test
  void fileSourceMountsTheIssuersFileTheNamedKeyItemsAndTheStateVolume() {
    Rendered r = Charts.renderExactly(FILE);
    Map<String, String> env = r.env();
    assertEquals("/etc/kubeassume/issuers/issuers.yaml", env.get("KUBEASSUME_ISSUERS"));
    assertEquals("/var/lib/kubeassume", env.get("KUBEASSUME_STATE_DIR"));
    assertFalse(env.containsKey("KUBEASSUME_LEASE_NAME"));
    assertEquals(1, r.deployment().getSpec().getReplicas());

    assertEquals("fleet-issuers", volume(r, "issuers").getConfigMap().getName());
    assertEquals("/etc/kubeassume/issuers", mount(r, "issuers").getMountPath());
    assertTrue(mount(r, "issuers").getReadOnly());
    Volume dev = volume(r, "fleet-keys-1");
    assertEquals("dev-keys", dev.getSecret().getSecretName());
    assertEquals(List.of("service-account.pub", "extra.pub"),
        dev.getSecret().getItems().stream().map(i -> i.getKey()).toList(), "only the public items are mounted");
    assertEquals("/etc/kubeassume/keys/dev-keys", mount(r, "fleet-keys-1").getMountPath());
    assertTrue(mount(r, "fleet-keys-1").getReadOnly());
    assertEquals("/etc/kubeassume/keys/prod-eu-keys", mount(r, "fleet-keys-0").getMountPath());
    assertEquals("fleet-state", volume(r, "state").getPersistentVolumeClaim().getClaimName());
    assertEquals("/var/lib/kubeassume", mount(r, "state").getMountPath());

    assertTrue(r.all(Role.class).isEmpty() && r.all(ClusterRole.class).isEmpty(), "an issuers file needs no API access");
    assertFalse(r.pod().getAutomountServiceAccountToken());
  }

  @Test
  void theMirrorSettingsAndCredentialsServeEveryIssuersSpecMirrors() {
    Rendered r = Charts.renderExactly(KUBERNETES + """
        mirror:
          endpoint: https://minio.example.com
          region: eu-west-1
          resync: 10m
          aws: {roleArn: 'arn:aws:iam::123456789012:role/kubeassume-fleet', projectToken: true}
          gcp:
            credentialConfigMap: kubeassume-gcp
            audience: //iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/k
        """);
    Map<String, String> env = r.env();
    assertFalse(env.containsKey("KUBEASSUME_MIRROR"), "the issuers name their targets in spec.mirrors");
    assertEquals("https://minio.example.com", env.get("KUBEASSUME_MIRROR_ENDPOINT"));
    assertEquals("eu-west-1", env.get("KUBEASSUME_MIRROR_REGION"));
    assertEquals("10m", env.get("KUBEASSUME_MIRROR_RESYNC"));
    assertEquals("arn:aws:iam::123456789012:role/kubeassume-fleet", env.get("AWS_ROLE_ARN"));
    assertEquals("/var/run/secrets/eks.amazonaws.com/serviceaccount/token", env.get("AWS_WEB_IDENTITY_TOKEN_FILE"));
    assertEquals("/etc/kubeassume/gcp/credential-configuration.json", env.get("GOOGLE_APPLICATION_CREDENTIALS"));
    assertEquals("kubeassume-gcp", volume(r, "gcp-credential-config").getConfigMap().getName());
    assertEquals("sts.amazonaws.com", volume(r, "aws-token").getProjected().getSources().get(0).getServiceAccountToken()
        .getAudience());
  }

  @Test
  void ingressRoutesThePrefixPathsOnOneHostWithOneCertificate() {
    Rendered r = Charts.renderExactly(KUBERNETES + """
        ingress:
          enabled: true
          certManager:
            issuer: letsencrypt
        """);
    Ingress ingress = r.one(Ingress.class);
    assertEquals(List.of("oidc.example.com"), ingress.getSpec().getTls().get(0).getHosts());
    assertEquals("oidc.example.com", ingress.getSpec().getRules().get(0).getHost());
    List<HTTPIngressPath> paths = ingress.getSpec().getRules().get(0).getHttp().getPaths();
    assertEquals(List.of("/clusters"), paths.stream().map(HTTPIngressPath::getPath).collect(Collectors.toList()));
    assertEquals("Prefix", paths.get(0).getPathType());
    assertEquals("kubeassume", paths.get(0).getBackend().getService().getName(), "the public Service only");
  }

  @Test
  void ingressWithoutPrefixesRoutesEveryPathOfTheGivenHost() {
    Rendered r = Charts.renderExactly("""
        fleet: {enabled: true}
        ingress: {enabled: true, host: issuers.example.com}
        """);
    Ingress ingress = r.one(Ingress.class);
    assertEquals("issuers.example.com", ingress.getSpec().getRules().get(0).getHost());
    assertEquals(List.of("/"), ingress.getSpec().getRules().get(0).getHttp().getPaths().stream()
        .map(HTTPIngressPath::getPath).collect(Collectors.toList()));
  }

  @Test
  void ingressOrServerTlsWithoutAHostSaysWhatToSet() {
    for (String values : List.of("fleet: {enabled: true}\ningress: {enabled: true}\n",
        "fleet: {enabled: true}\nserverTls: {enabled: true, certManager: {issuer: letsencrypt}}\n")) {
      Exception e = assertThrows(Exception.class, () -> Charts.templateExactly(values));
      assertTrue(e.getMessage().contains("fleet.issuerUrlPrefixes") && e.getMessage().contains("ingress.host"), e.getMessage());
    }
  }

  @Test
  void serverTlsCertificateIsForTheFleetsHost() {
    Rendered r = Charts.renderExactly(KUBERNETES + "serverTls: {enabled: true, certManager: {issuer: letsencrypt}}\n");
    GenericKubernetesResource cert = r.all(GenericKubernetesResource.class).stream()
        .filter(o -> o.getKind().equals("Certificate")).findFirst().orElseThrow();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) cert.getAdditionalProperties().get("spec");
    assertEquals(List.of("oidc.example.com"), spec.get("dnsNames"), "the host of every issuer");
  }

  @Test
  void notesSayWhatToDoNextWithTheObjects() {
    String notes = Charts.notes(KUBERNETES);
    assertTrue(notes.contains("kind: OIDCIssuer"), notes);
    assertTrue(notes.contains("issuerURL: https://oidc.example.com/clusters/prod-eu"), notes);
    assertTrue(notes.contains("kubectl get oidcissuers"), notes);
    assertTrue(notes.contains("(team-a, team-b; no other is read)"), notes);
    assertTrue(notes.contains("curl -s http://localhost:8080/clusters/prod-eu/.well-known/openid-configuration"), notes);
    assertFalse(notes.contains("kubeassume serves the issuer documents of"), notes);
    String file = Charts.notes(FILE);
    assertTrue(file.contains("issuers.yaml of the ConfigMap fleet-issuers"), file);
    assertFalse(file.contains("kubectl get oidcissuers"), file);
  }

  @Test
  void aSingleIssuersNotesAreUnchanged() {
    String notes = Charts.notes("issuerUrl: " + Charts.ISSUER + "\n");
    assertTrue(notes.contains("kubeassume serves the issuer documents of " + Charts.ISSUER), notes);
    assertFalse(notes.contains("OIDCIssuer"), notes);
  }

  private static Volume volume(Rendered r, String name) {
    return r.pod().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  private static VolumeMount mount(Rendered r, String name) {
    return r.container().getVolumeMounts().stream().filter(m -> m.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume mount " + name));
  }
}
