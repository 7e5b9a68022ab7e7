package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The chart with each optional feature: key files, file store, every mirror's credentials, Ingress. */
class ChartVariantsTest {
  @Test
  void sourceFilesMountsTheKeySecretAndNeedsNoClusterRole() {
    Rendered r = Charts.render("""
        source: files
        keys:
          secretName: hosted-cluster-sa-keys
        """);

    assertEquals("files", r.env().get("KUBEASSUME_SOURCE"));
    assertEquals("/etc/kubeassume/keys", r.env().get("KUBEASSUME_KEYS"));
    Volume keys = volume(r, "keys");
    assertEquals("hosted-cluster-sa-keys", keys.getSecret().getSecretName());
    VolumeMount mount = mount(r, "keys");
    assertEquals("/etc/kubeassume/keys", mount.getMountPath());
    assertTrue(mount.getReadOnly());
    assertTrue(r.all(ClusterRole.class).isEmpty(), "key files need no access to the API server's documents");
    assertTrue(r.all(ClusterRoleBinding.class).isEmpty());
    // The ConfigMap store and leader election still need the API server.
    assertEquals(1, r.all(Role.class).size());
    assertTrue(r.pod().getAutomountServiceAccountToken());
  }

  @Test
  void sourceFilesWithAFileStoreNeedsNoApiServerAtAll() {
    Rendered r = Charts.render("""
        source: files
        keys:
          secretName: sa-keys
        store: file
        replicaCount: 1
        persistence:
          existingClaim: kubeassume-state
        """);

    assertTrue(r.all(Role.class).isEmpty());
    assertTrue(r.all(RoleBinding.class).isEmpty());
    assertTrue(r.all(ClusterRole.class).isEmpty());
    assertFalse(r.pod().getAutomountServiceAccountToken(), "no token mounted that nothing uses");
    assertFalse(r.one(ServiceAccount.class).getAutomountServiceAccountToken());
    assertEquals(1, r.deployment().getSpec().getReplicas());
    Map<String, String> env = r.env();
    assertEquals("file", env.get("KUBEASSUME_STORE"));
    assertEquals("/var/lib/kubeassume/state.json", env.get("KUBEASSUME_STATE_FILE"));
    assertFalse(env.containsKey("KUBEASSUME_CONFIGMAP"));
    assertFalse(env.containsKey("KUBEASSUME_LEASE_NAME"));
    assertEquals("kubeassume-state", volume(r, "state").getPersistentVolumeClaim().getClaimName());
    assertEquals("/var/lib/kubeassume", mount(r, "state").getMountPath());
  }

  @Test
  void s3MirrorWithIrsaAnnotation() {
    Rendered r = Charts.render("""
        mirror:
          targets: [s3://oidc-bucket/cluster-a]
          region: eu-west-1
          aws:
            roleArn: arn:aws:iam::123456789012:role/kubeassume-mirror
        """);

    Map<String, String> env = r.env();
    assertEquals("s3://oidc-bucket/cluster-a", env.get("KUBEASSUME_MIRROR"));
    assertEquals("eu-west-1", env.get("KUBEASSUME_MIRROR_REGION"));
    assertEquals("5m", env.get("KUBEASSUME_MIRROR_RESYNC"));
    assertFalse(env.containsKey("KUBEASSUME_MIRROR_ENDPOINT"));
    assertEquals("arn:aws:iam::123456789012:role/kubeassume-mirror",
        saAnnotations(r).get("eks.amazonaws.com/role-arn"));
    // Without projectToken the pod identity webhook (where installed) injects the token.
    assertFalse(env.containsKey("AWS_ROLE_ARN"));
    assertTrue(r.pod().getVolumes().stream().noneMatch(v -> v.getName().equals("aws-token")));
  }

  @Test
  void s3MirrorWithoutAWebhookProjectsItsOwnStsToken() {
    Rendered r = Charts.render("""
        mirror:
          targets: [s3://oidc-bucket/cluster-a, s3://backup-bucket]
          endpoint: https://minio.example.com
          aws:
            roleArn: arn:aws:iam::123456789012:role/kubeassume-mirror
            projectToken: true
        """);

    Map<String, String> env = r.env();
    assertEquals("s3://oidc-bucket/cluster-a,s3://backup-bucket", env.get("KUBEASSUME_MIRROR"));
    assertEquals("https://minio.example.com", env.get("KUBEASSUME_MIRROR_ENDPOINT"));
    assertEquals("arn:aws:iam::123456789012:role/kubeassume-mirror", env.get("AWS_ROLE_ARN"));
    String tokenFile = env.get("AWS_WEB_IDENTITY_TOKEN_FILE");
    ServiceAccountTokenProjection token = projectedToken(r, "aws-token");
    assertEquals("sts.amazonaws.com", token.getAudience());
    assertEquals(mount(r, "aws-token").getMountPath() + "/" + token.getPath(), tokenFile);
  }

  @Test
  void gcsMirrorOnGkeAnnotatesTheServiceAccount() {
    Rendered r = Charts.render("""
        mirror:
          targets: [gs://oidc-bucket/cluster-a]
          gcp:
            serviceAccount: kubeassume@project.iam.gserviceaccount.com
        """);

    assertEquals("gs://oidc-bucket/cluster-a", r.env().get("KUBEASSUME_MIRROR"));
    assertEquals("kubeassume@project.iam.gserviceaccount.com", saAnnotations(r).get("iam.gke.io/gcp-service-account"));
    assertFalse(r.env().containsKey("GOOGLE_APPLICATION_CREDENTIALS"));
  }

  @Test
  void gcsMirrorOutsideGkeUsesWorkloadIdentityFederation() {
    String audience = "//iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/pool/providers/cluster";
    Rendered r = Charts.render("""
        mirror:
          targets: [gs://oidc-bucket]
          gcp:
            credentialConfigMap: kubeassume-gcp-wif
            audience: %s
        """.formatted(audience));

    assertEquals("kubeassume-gcp-wif", volume(r, "gcp-credential-config").getConfigMap().getName());
    assertEquals(mount(r, "gcp-credential-config").getMountPath() + "/credential-configuration.json",
        r.env().get("GOOGLE_APPLICATION_CREDENTIALS"));
    ServiceAccountTokenProjection token = projectedToken(r, "gcp-token");
    assertEquals(audience, token.getAudience());
    // The path the credential configuration must name as --credential-source-file (see values.yaml).
    assertEquals("/var/run/secrets/tokens/gcp/token", mount(r, "gcp-token").getMountPath() + "/" + token.getPath());
  }

  @Test
  void gcpWifTargetUsesTheGcpCredentialsAndTheIamEndpoint() {
    String audience = "//iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/ops-pool/providers/ops";
    String target = "gcp-wif://projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a";
    Rendered r = Charts.render("""
        mirror:
          targets: [%s]
          gcpIamEndpoint: https://iam-psc.p.googleapis.com
          gcp:
            credentialConfigMap: kubeassume-gcp-wif
            audience: %s
        """.formatted(target, audience));

    assertEquals(target, r.env().get("KUBEASSUME_MIRROR"));
    assertEquals("https://iam-psc.p.googleapis.com", r.env().get("KUBEASSUME_GCP_IAM_ENDPOINT"));
    assertEquals(mount(r, "gcp-credential-config").getMountPath() + "/credential-configuration.json",
        r.env().get("GOOGLE_APPLICATION_CREDENTIALS"));
    assertEquals(audience, projectedToken(r, "gcp-token").getAudience());
    assertFalse(r.env().containsKey("KUBEASSUME_MIRROR_ENDPOINT"));
  }

  @Test
  void azureMirrorUsesAzureWorkloadIdentity() {
    Rendered r = Charts.render("""
        mirror:
          targets: [azblob://account/container/cluster-a]
          azure:
            clientId: 11111111-2222-3333-4444-555555555555
            tenantId: 66666666-7777-8888-9999-000000000000
        """);

    assertEquals("azblob://account/container/cluster-a", r.env().get("KUBEASSUME_MIRROR"));
    assertEquals("true", r.deployment().getSpec().getTemplate().getMetadata().getLabels()
        .get("azure.workload.identity/use"));
    Map<String, String> annotations = saAnnotations(r);
    assertEquals("11111111-2222-3333-4444-555555555555", annotations.get("azure.workload.identity/client-id"));
    assertEquals("66666666-7777-8888-9999-000000000000", annotations.get("azure.workload.identity/tenant-id"));
    // The selector stays stable: the label is on the pods only.
    assertNull(r.deployment().getSpec().getSelector().getMatchLabels().get("azure.workload.identity/use"));
  }

  @Test
  void ociMirrorGetsItsCredentialsThroughExtraVolumesAndEnv() {
    Rendered r = Charts.render("""
        mirror:
          targets: [oci://namespace/bucket/cluster-a]
          region: eu-frankfurt-1
        extraEnv:
          - name: OCI_CONFIG_FILE
            value: /etc/kubeassume/oci/config
        extraVolumes:
          - name: oci
            secret:
              secretName: kubeassume-oci
        extraVolumeMounts:
          - name: oci
            mountPath: /etc/kubeassume/oci
            readOnly: true
        """);

    assertEquals("oci://namespace/bucket/cluster-a", r.env().get("KUBEASSUME_MIRROR"));
    assertEquals("eu-frankfurt-1", r.env().get("KUBEASSUME_MIRROR_REGION"));
    assertEquals("/etc/kubeassume/oci/config", r.env().get("OCI_CONFIG_FILE"));
    assertEquals("kubeassume-oci", volume(r, "oci").getSecret().getSecretName());
    assertEquals("/etc/kubeassume/oci", mount(r, "oci").getMountPath());
  }

  @Test
  void ingressRoutesOnlyTheTwoDocumentsUnderTheIssuerPathWithCertManagerTls() {
    Rendered r = Charts.render("""
        issuerUrl: https://oidc.example.com/clusters/a/
        ingress:
          enabled: true
          className: nginx
          certManager:
            issuer: letsencrypt
        """);

    Ingress ingress = r.one(Ingress.class);
    assertEquals("nginx", ingress.getSpec().getIngressClassName());
    assertEquals("letsencrypt", ingress.getMetadata().getAnnotations().get("cert-manager.io/cluster-issuer"));
    assertEquals(1, ingress.getSpec().getTls().size());
    assertEquals(List.of("oidc.example.com"), ingress.getSpec().getTls().get(0).getHosts());
    assertEquals("kubeassume-tls", ingress.getSpec().getTls().get(0).getSecretName());
    assertEquals(1, ingress.getSpec().getRules().size());
    IngressRule rule = ingress.getSpec().getRules().get(0);
    assertEquals("oidc.example.com", rule.getHost());
    List<HTTPIngressPath> paths = rule.getHttp().getPaths();
    assertEquals(List.of("/clusters/a/.well-known/openid-configuration", "/clusters/a/openid/v1/jwks"),
        paths.stream().map(HTTPIngressPath::getPath).collect(Collectors.toList()));
    for (HTTPIngressPath p : paths) {
      assertEquals("Exact", p.getPathType());
      assertEquals("kubeassume", p.getBackend().getService().getName(), "public Service only");
      assertEquals("http", p.getBackend().getService().getPort().getName());
    }
    assertEquals("https://oidc.example.com/clusters/a/", r.env().get("KUBEASSUME_ISSUER_URL"));
  }

  @Test
  void ingressWithANamespacedIssuerAndAHostOverride() {
    Rendered r = Charts.render("""
        ingress:
          enabled: true
          host: issuer.internal.example.com
          tls:
            secretName: oidc-cert
          certManager:
            issuer: local-ca
            issuerKind: Issuer
        """);

    Ingress ingress = r.one(Ingress.class);
    assertEquals("local-ca", ingress.getMetadata().getAnnotations().get("cert-manager.io/issuer"));
    assertFalse(ingress.getMetadata().getAnnotations().containsKey("cert-manager.io/cluster-issuer"));
    assertEquals("oidc-cert", ingress.getSpec().getTls().get(0).getSecretName());
    assertEquals("issuer.internal.example.com", ingress.getSpec().getRules().get(0).getHost());
    assertEquals("/.well-known/openid-configuration",
        ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getPath());
  }

  @Test
  void serverTlsMountsTheSecretAndKeepsProbesOnTheManagementPort() {
    Rendered r = Charts.render("""
        serverTls:
          enabled: true
        service:
          type: LoadBalancer
          port: 443
        """);

    Map<String, String> env = r.env();
    assertEquals("/etc/kubeassume/tls/tls.crt", env.get("KUBEASSUME_TLS_CERT"));
    assertEquals("/etc/kubeassume/tls/tls.key", env.get("KUBEASSUME_TLS_KEY"));
    Volume tls = volume(r, "server-tls");
    assertEquals("kubeassume-server-tls", tls.getSecret().getSecretName());
    assertEquals(0440, tls.getSecret().getDefaultMode(), "the private key is readable by the server's group only");
    VolumeMount mount = mount(r, "server-tls");
    assertEquals("/etc/kubeassume/tls", mount.getMountPath());
    assertTrue(mount.getReadOnly());
    // The public port says what it speaks; the probes stay on plain-http management.
    assertEquals(List.of("https", "management"), r.container().getPorts().stream().map(p -> p.getName()).collect(Collectors.toList()));
    assertEquals("management", r.container().getReadinessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("management", r.container().getLivenessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("management", r.container().getStartupProbe().getHttpGet().getPort().getStrVal());
    var pub = r.find(io.fabric8.kubernetes.api.model.Service.class, "kubeassume").orElseThrow();
    assertEquals("LoadBalancer", pub.getSpec().getType());
    assertEquals(443, pub.getSpec().getPorts().get(0).getPort());
    assertEquals("https", pub.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    assertTrue(r.all(GenericKubernetesResource.class).stream().noneMatch(o -> o.getKind().equals("Certificate")),
        "no issuer named: the Secret is brought by the user");
  }

  @Test
  void serverTlsWithCertManagerCreatesTheCertificateForTheIssuerHost() {
    Rendered r = Charts.render("""
        issuerUrl: https://oidc.example.com:8443/clusters/a
        serverTls:
          enabled: true
          secretName: oidc-serving-cert
          certManager:
            issuer: letsencrypt-prod
        ingress:
          enabled: true
        """);

    GenericKubernetesResource cert = r.all(GenericKubernetesResource.class).stream()
        .filter(o -> o.getKind().equals("Certificate")).findFirst().orElseThrow();
    assertEquals("cert-manager.io/v1", cert.getApiVersion());
    assertEquals(Charts.NAMESPACE, cert.getMetadata().getNamespace());
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) cert.getAdditionalProperties().get("spec");
    assertEquals("oidc-serving-cert", spec.get("secretName"));
    assertEquals(List.of("oidc.example.com"), spec.get("dnsNames"), "the issuer's host, without its port");
    assertEquals(Map.of("group", "cert-manager.io", "kind", "ClusterIssuer", "name", "letsencrypt-prod"), spec.get("issuerRef"));
    assertEquals("oidc-serving-cert", volume(r, "server-tls").getSecret().getSecretName());
    // An Ingress in front talks to the https port by name.
    assertEquals("https", r.one(Ingress.class).getSpec().getRules().get(0).getHttp().getPaths().get(0)
        .getBackend().getService().getPort().getName());
  }

  @Test
  void serviceMonitorScrapesTheManagementService() {
    Rendered r = Charts.render("""
        serviceMonitor:
          enabled: true
          labels:
            release: prometheus
        """);

    GenericKubernetesResource monitor = r.all(GenericKubernetesResource.class).stream()
        .filter(o -> o.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
    assertEquals("prometheus", monitor.getMetadata().getLabels().get("release"));
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
    @SuppressWarnings("unchecked")
    Map<String, Object> endpoint = ((List<Map<String, Object>>) spec.get("endpoints")).get(0);
    assertEquals("management", endpoint.get("port"));
    assertEquals("/metrics", endpoint.get("path"));
    @SuppressWarnings("unchecked")
    Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
    var management = r.find(io.fabric8.kubernetes.api.model.Service.class, "kubeassume-management").orElseThrow();
    var pub = r.find(io.fabric8.kubernetes.api.model.Service.class, "kubeassume").orElseThrow();
    assertTrue(management.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()));
    assertFalse(pub.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()),
        "the public Service must not be scraped");
  }

  @Test
  void networkPolicyOpensThePublicPortToAllAndTheManagementPortToNamedNamespacesOnly() {
    Rendered r = Charts.render("""
        networkPolicy:
          enabled: true
          managementFromNamespaces: [monitoring]
        """);

    var policy = r.one(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
    assertEquals(List.of("Ingress"), policy.getSpec().getPolicyTypes(), "egress (API server, clouds) is left alone");
    var deployment = r.deployment();
    assertTrue(deployment.getSpec().getTemplate().getMetadata().getLabels().entrySet()
        .containsAll(policy.getSpec().getPodSelector().getMatchLabels().entrySet()));
    var rules = policy.getSpec().getIngress();
    assertEquals(2, rules.size());
    assertTrue(rules.get(0).getFrom() == null || rules.get(0).getFrom().isEmpty(), "the public port: every source");
    assertEquals("http", rules.get(0).getPorts().get(0).getPort().getStrVal());
    assertEquals("management", rules.get(1).getPorts().get(0).getPort().getStrVal());
    assertEquals(Map.of("kubernetes.io/metadata.name", "monitoring"),
        rules.get(1).getFrom().get(0).getNamespaceSelector().getMatchLabels());

    Rendered closed = Charts.render("""
        networkPolicy:
          enabled: true
        """);
    assertEquals(1, closed.one(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class).getSpec().getIngress().size(),
        "without namespaces, nothing may reach the management port (the kubelet's probes come from the node)");
    assertTrue(Charts.render("").all(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class).isEmpty(),
        "off by default");
  }

  @Test
  void connectionLimitsAndH2cBecomeTheServersEnvironment() {
    Rendered r = Charts.render("""
        connections:
          max: 500
          requestTimeout: 5s
          idleTimeout: 1m
        h2c: true
        """);
    Map<String, String> env = r.env();
    assertEquals("500", env.get("KUBEASSUME_MAX_CONNECTIONS"));
    assertEquals("5s", env.get("KUBEASSUME_REQUEST_TIMEOUT"));
    assertEquals("1m", env.get("KUBEASSUME_IDLE_TIMEOUT"));
    assertEquals("true", env.get("KUBEASSUME_H2C"));
  }

  private static Map<String, String> saAnnotations(Rendered r) {
    Map<String, String> annotations = r.one(ServiceAccount.class).getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  private static Volume volume(Rendered r, String name) {
    return r.pod().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  private static VolumeMount mount(Rendered r, String name) {
    return r.container().getVolumeMounts().stream().filter(m -> m.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume mount " + name));
  }

  private static ServiceAccountTokenProjection projectedToken(Rendered r, String volume) {
    return volume(r, volume).getProjected().getSources().get(0).getServiceAccountToken();
  }
}
