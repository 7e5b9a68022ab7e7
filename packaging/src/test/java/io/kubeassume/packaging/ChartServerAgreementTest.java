package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kubeassume.cli.ServeParsing;
import io.kubeassume.config.ClusterSettings;
import io.kubeassume.config.ConfigException;
import io.kubeassume.config.FleetSettings;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.config.SourceType;
import io.kubeassume.config.StoreType;
import io.kubeassume.config.TlsFiles;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.fleet.IssuerSpec;
import io.kubeassume.fleet.IssuerSpecParser;
import io.kubeassume.fleet.IssuersFile;
import io.kubeassume.mirror.MirrorLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The chart and the real server agree: for the defaults and each variant, the rendered container's
 * environment (downward API resolved, volumes laid out on disk) and args go through the server's
 * own picocli parsing and start-up checks ({@code kubeassume serve} up to, not including, binding
 * ports), and yield the expected {@link ServeConfig}. A chart value the server would refuse fails
 * here instead of in a cluster.
 */
class ChartServerAgreementTest {
  static final String KEY_SECRET = "cluster-sa-keys";
  /** An issuers file naming the key file the chart mounts from fleet.keySecrets. */
  static final String ISSUERS_FILE = """
      issuers:
        - name: prod-eu
          issuerURL: https://oidc.example.com/clusters/prod-eu
          source:
            files: [/etc/kubeassume/keys/cluster-sa-keys/sa.pub]
      """;

  @TempDir
  Path root;

  /** The Secrets and ConfigMaps of the namespace, as files by object name. */
  static Map<String, Map<String, String>> namespaceObjects() {
    Map<String, String> tls = Map.of(
        "tls.crt", read("certs/dev/tls/tls.crt"),
        "tls.key", read("certs/dev/tls/tls.key"),
        "ca.crt", read("certs/dev/tls/ca.crt"));
    return Map.of(
        KEY_SECRET, Map.of("sa.pub", read("certs/dev/sa.pub")),
        "kubeassume-server-tls", tls,
        "oidc-serving-cert", tls,
        "kubeassume-state", Map.of(),
        "gcp-wif", Map.of("credential-configuration.json", "{\"type\":\"external_account\"}"),
        "kubeassume-gcp", Map.of("credential-configuration.json", "{\"type\":\"external_account\"}"),
        "fleet-issuers", Map.of("issuers.yaml", ISSUERS_FILE));
  }

  record Started(ServeParsing.Accepted accepted, PodRuntime pod) {
    ServeConfig config() {
      return accepted.config();
    }

    Path host(String containerPath) {
      return pod.host(containerPath);
    }
  }

  /** Renders with these values, lays the pod out and runs the server's parsing; fails on any disagreement. */
  Started start(String values) {
    return start(Charts.render(values));
  }

  Started start(Rendered chart) {
    PodRuntime pod = new PodRuntime(chart, root, namespaceObjects());
    Set<String> twins = ServeParsing.serveVariables();
    pod.renderedEnvironment().forEach((name, value) -> {
      if (name.startsWith("KUBEASSUME_")) {
        assertTrue(twins.contains(name), name + " is set by the chart but no flag of 'kubeassume serve' reads it");
        for (String part : value.split(",")) {
          if (part.startsWith("/")) {
            // The root filesystem is read-only and holds only the jar: files must come from volumes.
            assertTrue(pod.volumeOf(part).isPresent(), name + "=" + part + " is on no volume of the pod");
          }
        }
      }
    });
    for (String file : List.of("AWS_WEB_IDENTITY_TOKEN_FILE", "GOOGLE_APPLICATION_CREDENTIALS")) {
      String path = pod.renderedEnvironment().get(file);
      if (path != null) {
        assertTrue(Files.isRegularFile(pod.host(path)), file + "=" + path + " is not a file any volume provides");
      }
    }
    try {
      return new Started(ServeParsing.serve(pod.environment(), pod.args(), pod.serviceAccountToken()), pod);
    } catch (ConfigException e) {
      return fail("kubeassume serve refuses the chart's settings: " + e.getMessage());
    }
  }

  static ServeConfig.Builder expected() {
    return ServeConfig.builder(IssuerUrl.parse(Charts.ISSUER))
        .source(SourceType.KUBERNETES)
        .store(StoreType.CONFIGMAP)
        .cluster(cluster());
  }

  /** The Lease and ConfigMap in the pod's namespace, under the pod's name, with the default timing. */
  static ClusterSettings cluster() {
    return new ClusterSettings(Charts.NAMESPACE, "kubeassume-oidc", "kubeassume", PodRuntime.POD_NAME,
        ClusterSettings.DEFAULT_LEASE_DURATION, ClusterSettings.DEFAULT_RENEW_DEADLINE,
        ClusterSettings.DEFAULT_RETRY_PERIOD);
  }

  @Test
  void defaults() {
    Started s = start("");
    assertEquals(expected().build(), s.config());
    assertEquals("info", s.accepted().logLevel());
    assertEquals("text", s.accepted().logFormat());
    assertEquals(List.of("serve"), s.pod.args());
  }

  @Test
  void everyServerSettingValue() {
    Started s = start("""
        overlap: 36h
        maxAge: 60
        maxKeys: 20
        pollInterval: 1m30s
        logLevel: debug
        logFormat: json
        configMapName: oidc-state
        leaderElection:
          leaseName: oidc-leader
        connections:
          max: 500
          requestTimeout: 5s
          idleTimeout: 1m
        h2c: true
        """);
    assertEquals(expected()
            .limits(new io.kubeassume.server.guard.ConnectionLimits(500, 500, java.time.Duration.ofSeconds(5),
                java.time.Duration.ofMinutes(1)))
            .h2c(true)
            .overlap(java.time.Duration.ofHours(36))
            .maxAgeSeconds(60)
            .maxKeys(20)
            .pollInterval(java.time.Duration.ofSeconds(90))
            .cluster(cluster().withConfigMap("oidc-state").withLeaseName("oidc-leader"))
            .build(),
        s.config());
    assertEquals("debug", s.accepted().logLevel());
    assertEquals("json", s.accepted().logFormat());
  }

  @Test
  void keyFilesFromASecret() {
    Started s = start("""
        source: files
        keys:
          secretName: cluster-sa-keys
        """);
    assertEquals(expected()
            .source(SourceType.FILES)
            .keys(List.of(s.host("/etc/kubeassume/keys")))
            .build(),
        s.config());
    assertTrue(Files.isRegularFile(s.host("/etc/kubeassume/keys/sa.pub")));
  }

  @Test
  void fileStoreOnItsVolume() {
    Started s = start("""
        source: files
        keys:
          secretName: cluster-sa-keys
        store: file
        replicaCount: 1
        persistence:
          existingClaim: kubeassume-state
        """);
    assertEquals(expected()
            .source(SourceType.FILES)
            .keys(List.of(s.host("/etc/kubeassume/keys")))
            .store(StoreType.FILE)
            .cluster(null)
            .stateFile(s.host("/var/lib/kubeassume/state.json"))
            .build(),
        s.config());
  }

  @Test
  void fileStoreWithTheKubernetesSource() {
    Started s = start("""
        store: file
        replicaCount: 1
        """);
    assertEquals(expected()
            .store(StoreType.FILE)
            .cluster(null)
            .stateFile(s.host("/var/lib/kubeassume/state.json"))
            .build(),
        s.config());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      s3     | s3://oidc-bucket/cluster-a
      gs     | gs://oidc-bucket/cluster-a
      azblob | azblob://oidcaccount/oidc/cluster-a
      oci    | oci://tenancyns/oidc-bucket/cluster-a
      gcp-wif | gcp-wif://projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a
      """)
  void eachMirrorScheme(String scheme, String target) {
    Started s = start("mirror:\n  targets: [" + target + "]\n  resync: 10m\n");
    assertEquals(expected()
            .mirrors(List.of(MirrorLocation.parse(target)))
            .mirrorResync(java.time.Duration.ofMinutes(10))
            .build(),
        s.config());
    assertEquals(scheme, s.config().mirrors().get(0).scheme().scheme());
  }

  @Test
  void s3MirrorsWithEndpointRegionAndOwnStsToken() {
    Started s = start("""
        mirror:
          targets: [s3://oidc-bucket/cluster-a, s3://backup-bucket]
          endpoint: https://minio.example.com:9000
          region: eu-west-1
          aws:
            roleArn: arn:aws:iam::123456789012:role/kubeassume-mirror
            projectToken: true
        """);
    assertEquals(expected()
            .mirrors(List.of(MirrorLocation.parse("s3://oidc-bucket/cluster-a"), MirrorLocation.parse("s3://backup-bucket")))
            .mirrorEndpoint(URI.create("https://minio.example.com:9000"))
            .mirrorRegion("eu-west-1")
            .build(),
        s.config());
  }

  @Test
  void gcpWifMirrorWithAPrivateIamEndpointAndFederatedCredentials() {
    String target = "gcp-wif://projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a";
    Started s = start("""
        mirror:
          targets: [%s]
          gcpIamEndpoint: https://iam-psc.p.googleapis.com
          gcp:
            credentialConfigMap: gcp-wif
            audience: //iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/ops-pool/providers/ops
        """.formatted(target));
    assertEquals(expected()
            .mirrors(List.of(MirrorLocation.parse(target)))
            .gcpIamEndpoint(URI.create("https://iam-psc.p.googleapis.com"))
            .build(),
        s.config());
  }

  /** The complete values file of docs/setup-gcp.md ("Issuers that are not public") renders and is accepted. */
  @Test
  void theValuesExampleForIssuersThatAreNotPublic() {
    String doc = read("docs/setup-gcp.md");
    int section = doc.indexOf("### 3. Helm values");
    int start = doc.indexOf("```yaml\n", section) + "```yaml\n".length();
    String values = doc.substring(start, doc.indexOf("```", start));
    PodRuntime pod = new PodRuntime(Rendered.parse(Charts.templateExactly(values)), root, namespaceObjects());
    ServeConfig c;
    try {
      c = ServeParsing.serve(pod.environment(), pod.args(), pod.serviceAccountToken()).config();
    } catch (ConfigException e) {
      throw new AssertionError("kubeassume serve refuses the documented values: " + e.getMessage(), e);
    }
    assertEquals(List.of(MirrorLocation.parse(
        "gcp-wif://projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a")), c.mirrors());
    assertEquals(StoreType.CONFIGMAP, c.store());
    assertEquals("/etc/kubeassume/gcp/credential-configuration.json",
        pod.renderedEnvironment().get("GOOGLE_APPLICATION_CREDENTIALS"));
  }

  @Test
  void ociMirrorWithRegion() {
    Started s = start("""
        mirror:
          targets: [oci://tenancyns/oidc-bucket]
          region: eu-frankfurt-1
        """);
    assertEquals(expected()
            .mirrors(List.of(MirrorLocation.parse("oci://tenancyns/oidc-bucket")))
            .mirrorRegion("eu-frankfurt-1")
            .build(),
        s.config());
  }

  @Test
  void serverTlsFromTheDefaultSecret() {
    Started s = start("""
        serverTls:
          enabled: true
        """);
    assertEquals(expected()
            .tls(new TlsFiles(s.host("/etc/kubeassume/tls/tls.crt"), s.host("/etc/kubeassume/tls/tls.key")))
            .build(),
        s.config());
  }

  @Test
  void serverTlsFromACertManagerSecret() {
    Started s = start("""
        serverTls:
          enabled: true
          secretName: oidc-serving-cert
          certManager:
            issuer: letsencrypt-prod
        """);
    assertEquals(new TlsFiles(s.host("/etc/kubeassume/tls/tls.crt"), s.host("/etc/kubeassume/tls/tls.key")),
        s.config().tls());
  }

  @Test
  void ingressAndAnIssuerWithAPath() {
    Started s = start("""
        issuerUrl: https://oidc.example.com/clusters/a
        ingress:
          enabled: true
          className: nginx
        """);
    assertEquals(IssuerUrl.parse("https://oidc.example.com/clusters/a"), s.config().issuer());
    assertEquals("/clusters/a/openid/v1/jwks", s.config().issuer().jwksPath());
  }

  @Test
  void everyOptionalFeatureAtOnce() {
    Started s = start(Values.ALL_FEATURES);
    ServeConfig c = s.config();
    assertEquals(SourceType.FILES, c.source());
    assertEquals(StoreType.FILE, c.store());
    assertEquals(2, c.mirrors().size());
    assertEquals(new TlsFiles(s.host("/etc/kubeassume/tls/tls.crt"), s.host("/etc/kubeassume/tls/tls.key")), c.tls());
  }

  @Test
  void thePlainManifestsAreAcceptedToo() throws IOException {
    PodRuntime pod = new PodRuntime(Rendered.parse(Files.readString(Repo.file("deploy/manifests/kubeassume.yaml"))),
        root, namespaceObjects());
    try {
      assertEquals(expected().build(), ServeParsing.serve(pod.environment(), pod.args(), pod.serviceAccountToken()).config());
    } catch (ConfigException e) {
      fail("kubeassume serve refuses deploy/manifests/kubeassume.yaml: " + e.getMessage());
    }
  }

  @Test
  void fleetOfObjectsInTheWatchedNamespaces() {
    Started s = start(Charts.renderExactly(ChartFleetTest.KUBERNETES));
    assertEquals(ServeConfig.fleetBuilder(FleetSettings.kubernetes(List.of("https://oidc.example.com/clusters/"),
            List.of("team-a", "team-b"))).cluster(cluster()).build(),
        s.config());
  }

  @Test
  void fleetOfObjectsInEveryNamespaceWithTuning() {
    Started s = start(Charts.renderExactly("""
        fleet: {enabled: true}
        overlap: 48h
        maxAge: 120
        leaderElection: {leaseName: fleet-leader}
        """));
    assertEquals(ServeConfig.fleetBuilder(FleetSettings.kubernetes(List.of(), List.of()))
            .overlap(java.time.Duration.ofHours(48))
            .maxAgeSeconds(120)
            .cluster(cluster().withLeaseName("fleet-leader"))
            .build(),
        s.config());
  }

  @Test
  void fleetWithTheMirrorSettingsOfEveryIssuer() {
    Started s = start(Charts.renderExactly(ChartFleetTest.KUBERNETES + """
        mirror:
          endpoint: https://minio.example.com:9000
          region: eu-west-1
          gcpIamEndpoint: https://iam-psc.p.googleapis.com
          resync: 10m
        """));
    assertEquals(ServeConfig.fleetBuilder(FleetSettings.kubernetes(List.of("https://oidc.example.com/clusters/"),
            List.of("team-a", "team-b")))
            .cluster(cluster())
            .mirrorEndpoint(URI.create("https://minio.example.com:9000"))
            .mirrorRegion("eu-west-1")
            .gcpIamEndpoint(URI.create("https://iam-psc.p.googleapis.com"))
            .mirrorResync(java.time.Duration.ofMinutes(10))
            .build(),
        s.config());
  }

  @Test
  void fleetFromAnIssuersFileWithItsKeysAndStateOnVolumes() throws Exception {
    Started s = start(Charts.renderExactly("""
        replicaCount: 1
        fleet:
          enabled: true
          source: file
          issuersConfigMap: fleet-issuers
          keySecrets: [{name: cluster-sa-keys, items: [sa.pub]}]
          issuerUrlPrefixes: ['https://oidc.example.com/clusters/']
        persistence: {existingClaim: kubeassume-state}
        """));
    assertEquals(ServeConfig.fleetBuilder(FleetSettings.file(s.host("/etc/kubeassume/issuers/issuers.yaml"),
            s.host("/var/lib/kubeassume"), List.of("https://oidc.example.com/clusters/"))).build(),
        s.config());
    // The file's key path is one the pod has: the server would read the mounted public key there.
    IssuersFile.Content content = IssuersFile.read(s.host("/etc/kubeassume/issuers/issuers.yaml"),
        new IssuerSpecParser.Context(false, java.time.Duration.ofHours(24), 300));
    assertEquals(Map.of(), content.invalid());
    Path key = ((IssuerSpec.KeyFiles) content.specs().get(0).source()).paths().get(0);
    assertTrue(s.pod.volumeOf(key.toString()).isPresent(), key + " is on no volume of the pod");
    assertTrue(Files.isRegularFile(s.host(key.toString())), key + " is not mounted");
  }

  @Test
  void theFleetsPlainManifestsAreAcceptedToo() throws IOException {
    PodRuntime pod = new PodRuntime(Rendered.parse(Files.readString(Repo.file("deploy/manifests/kubeassume-fleet.yaml"))),
        root, namespaceObjects());
    try {
      assertEquals(ServeConfig.fleetBuilder(FleetSettings.kubernetes(List.of("https://oidc.example.com/clusters/"),
              List.of("kubeassume-issuers"))).cluster(cluster()).build(),
          ServeParsing.serve(pod.environment(), pod.args(), pod.serviceAccountToken()).config());
    } catch (ConfigException e) {
      fail("kubeassume serve refuses deploy/manifests/kubeassume-fleet.yaml: " + e.getMessage());
    }
  }

  /**
   * Values the schema cannot judge fully (a bucket name's rules, a zero duration) still render;
   * the server's own checks, run here, refuse them, naming the flag and the variable the chart set.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      upper-case S3 bucket  | mirror: {targets: ['s3://Oidc_Bucket/a']}            | --mirror (from KUBEASSUME_MIRROR)
      azure account dashed  | mirror: {targets: ['azblob://a-b/c']}                | --mirror (from KUBEASSUME_MIRROR)
      zero overlap          | overlap: 0s                                          | --overlap (from KUBEASSUME_OVERLAP)
      zero poll interval    | pollInterval: 0ms                                    | --poll-interval (from KUBEASSUME_POLL_INTERVAL)
      endpoint with a query | mirror: {targets: [s3://b-1], endpoint: 'https://m?x=1'} | --mirror-endpoint (from KUBEASSUME_MIRROR_ENDPOINT)
      gcp-wif provider id   | mirror: {targets: ['gcp-wif://projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/gcp-x']} | --mirror (from KUBEASSUME_MIRROR)
      iam endpoint, buckets | mirror: {targets: [s3://b-1], gcpIamEndpoint: 'https://iam.example.com'} | --gcp-iam-endpoint (from KUBEASSUME_GCP_IAM_ENDPOINT)
      """)
  void aValueTheServerRefusesFailsHere(String description, String values, String named) {
    PodRuntime pod = new PodRuntime(Charts.render(values), root, namespaceObjects());
    ConfigException e = assertThrows(ConfigException.class, () -> ServeParsing.serve(pod.environment(), pod.args(), pod.serviceAccountToken()),
        description + " was accepted");
    assertTrue(e.getMessage().contains(named), () -> description + ": " + e.getMessage());
  }

  private static String read(String relative) {
    try {
      return Files.readString(Repo.file(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
