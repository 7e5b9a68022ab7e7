package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.config.ClusterSettings;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.config.SourceType;
import io.kubeassume.config.StoreType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** A wrong flag stops start-up with one line that names the flag and the fix. */
class ServeFlagsTest {
  static final String KEY = ServeFlagsTest.devKey();

  @TempDir
  Path dir;

  record Run(int exit, String err) {}

  static Run run(Map<String, String> env, String... args) {
    CommandLine cmd = KubeassumeCommand.commandLine(env);
    StringWriter err = new StringWriter();
    cmd.setErr(new PrintWriter(err));
    cmd.setOut(new PrintWriter(new StringWriter()));
    return new Run(cmd.execute(args), err.toString());
  }

  static ServeConfig config(Map<String, String> env, String... args) throws Exception {
    CommandLine cmd = KubeassumeCommand.commandLine(env);
    cmd.parseArgs(args);
    return ((ServeCommand) cmd.getSubcommands().get("serve").getCommand()).toConfig();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "missing issuer        | serve --source files --keys KEY                                                  | --issuer-url: is required",
      "http issuer           | serve --issuer-url http://example.com --source files --keys KEY                   | --issuer-url: 'http://example.com' must use https",
      "issuer with query     | serve --issuer-url https://h/?a=b --source files --keys KEY                       | --issuer-url: 'https://h/?a=b' must not have a query",
      "missing keys          | serve --issuer-url https://h --source files                        | --keys: is required",
      "absent key file       | serve --issuer-url https://h --source files --keys /nonexistent/sa.pub           | --keys: /nonexistent/sa.pub does not exist",
      "device as key file    | serve --issuer-url https://h --source files --keys /dev/zero                     | --keys: /dev/zero is a character device, not a key file or a directory; name the public key file",
      "bad port              | serve --issuer-url https://h --source files --keys KEY --port http               | --port: 'http' is not a number",
      "port out of range     | serve --issuer-url https://h --source files --keys KEY --port 70000              | --port: 70000 is out of range",
      "same ports            | serve --issuer-url https://h --source files --keys KEY --port 9090               | --management-port: is the same as --port",
      "bad overlap           | serve --issuer-url https://h --source files --keys KEY --overlap 1day            | --overlap: '1day' is not a duration",
      "zero overlap          | serve --issuer-url https://h --source files --keys KEY --overlap 0s              | --overlap: 0s is too short",
      "bad max keys          | serve --issuer-url https://h --source files --keys KEY --max-keys 0              | --max-keys: 0 is out of range",
      "negative max age      | serve --issuer-url https://h --source files --keys KEY --max-age -1              | --max-age: -1 is out of range",
      "unknown source        | serve --issuer-url https://h --keys KEY --source vault                            | --source: unknown source 'vault'",
      "bad log level         | serve --issuer-url https://h --source files --keys KEY --log-level loud          | --log-level: 'loud' is not a level",
      "bad log format        | serve --issuer-url https://h --source files --keys KEY --log-format logfmt       | --log-format: 'logfmt' is not a log format; use text or json",
      "unknown flag          | serve --issuer-url https://h --source files --keys KEY --prot 1                  | unknown option '--prot'; did you mean --port?",
      "keys with kubernetes  | serve --issuer-url https://h --source kubernetes --keys KEY       | --keys: is only for --source files",
      "keys without source   | serve --issuer-url https://h --keys KEY                           | --keys: is only for --source files; add --source files",
      "unknown store         | serve --issuer-url https://h --store etcd --leader-election-namespace ns | --store: unknown store 'etcd'",
      "bad configmap name    | serve --issuer-url https://h --configmap Bad_Name --leader-election-namespace ns | --configmap: 'Bad_Name' is not a Kubernetes object name",
      "bad lease name        | serve --issuer-url https://h --lease-name x/y --leader-election-namespace ns | --lease-name: 'x/y' is not a Kubernetes object name",
      "bad namespace         | serve --issuer-url https://h --leader-election-namespace Prod      | --leader-election-namespace: 'Prod' is not a namespace name",
      "renew after lease     | serve --issuer-url https://h --leader-election-namespace ns --renew-deadline 20s | --lease-duration: 15s must be longer than --renew-deadline",
      "retry too slow        | serve --issuer-url https://h --leader-election-namespace ns --retry-period 9s | --renew-deadline: 10s must be longer than 1.2 x --retry-period",
      "bad lease duration    | serve --issuer-url https://h --leader-election-namespace ns --lease-duration soon | --lease-duration: 'soon' is not a duration",
      "state file configmap  | serve --issuer-url https://h --leader-election-namespace ns --state-file /tmp/kubeassume-s.json | --state-file: is only for --store file",
      "kubeconfig with files | serve --issuer-url https://h --source files --keys KEY --kubeconfig KEY          | --kubeconfig: is only for --source kubernetes or --store configmap",
      "absent kubeconfig     | serve --issuer-url https://h --source kubernetes --kubeconfig /nonexistent/kc | --kubeconfig: /nonexistent/kc does not exist",
      "tls cert without key  | serve --issuer-url https://h --source files --keys KEY --tls-cert KEY            | --tls-key: is required with --tls-cert",
      "tls key without cert  | serve --issuer-url https://h --source files --keys KEY --tls-key KEY             | --tls-cert: is required with --tls-key",
      "absent tls cert       | serve --issuer-url https://h --source files --keys KEY --tls-cert /no/tls.crt --tls-key KEY | --tls-cert: /no/tls.crt does not exist",
      "mirror not a uri      | serve --issuer-url https://h --source files --keys KEY --mirror oidc-bucket      | --mirror: 'oidc-bucket' is not a URI; use one of s3://BUCKET/PREFIX",
      "mirror scheme         | serve --issuer-url https://h --source files --keys KEY --mirror https://b/x      | --mirror: 'https://b/x' has an unknown scheme 'https'",
      "mirror bucket name    | serve --issuer-url https://h --source files --keys KEY --mirror s3://Oidc_B/p    | --mirror: 's3://Oidc_B/p' has an invalid S3 bucket name",
      "mirror azure account  | serve --issuer-url https://h --source files --keys KEY --mirror azblob://acct     | --mirror: 'azblob://acct' is missing the account or container",
      "mirror twice          | serve --issuer-url https://h --source files --keys KEY --mirror s3://oidc/p,s3://oidc/p/ | --mirror: 's3://oidc/p' is given twice",
      "endpoint, no mirror   | serve --issuer-url https://h --source files --keys KEY --mirror-endpoint http://127.0.0.1:9000 | --mirror-endpoint: is only for bucket mirrors; add --mirror s3://BUCKET/PREFIX or remove it",
      "endpoint, gcp-wif     | serve --issuer-url https://h --source files --keys KEY --mirror W --mirror-endpoint http://127.0.0.1:9000 | --mirror-endpoint: is only for bucket mirrors; add --mirror s3://BUCKET/PREFIX or remove it (gcp-wif mirrors take --gcp-iam-endpoint)",
      "iam endpoint, bucket  | serve --issuer-url https://h --source files --keys KEY --mirror s3://oidc --gcp-iam-endpoint http://127.0.0.1:9 | --gcp-iam-endpoint: is only for gcp-wif mirrors",
      "iam endpoint, none    | serve --issuer-url https://h --source files --keys KEY --gcp-iam-endpoint http://127.0.0.1:9 | --gcp-iam-endpoint: is only for gcp-wif mirrors",
      "bad iam endpoint      | serve --issuer-url https://h --source files --keys KEY --mirror W --gcp-iam-endpoint iam.googleapis.com | --gcp-iam-endpoint: 'iam.googleapis.com' must be an http(s) URL",
      "gcp-wif location      | serve --issuer-url https://h --source files --keys KEY --mirror gcp-wif://projects/my-project/locations/us/workloadIdentityPools/k8s-pool/providers/cluster-a | --mirror: 'gcp-wif://projects/my-project/locations/us/workloadIdentityPools/k8s-pool/providers/cluster-a' has the location 'us'",
      "gcp-wif twice         | serve --issuer-url https://h --source files --keys KEY --mirror W,W/ | is given twice",
      "bad endpoint          | serve --issuer-url https://h --source files --keys KEY --mirror s3://oidc --mirror-endpoint ftp://x | --mirror-endpoint: 'ftp://x' must be an http(s) URL",
      "region, no mirror     | serve --issuer-url https://h --source files --keys KEY --mirror-region eu-west-1 | --mirror-region: is only for bucket mirrors",
      "region, gcp-wif       | serve --issuer-url https://h --source files --keys KEY --mirror W --mirror-region eu-west-1 | --mirror-region: is only for bucket mirrors",
      "bad region            | serve --issuer-url https://h --source files --keys KEY --mirror s3://oidc --mirror-region EU_WEST | --mirror-region: 'EU_WEST' is not a region name",
      "bad resync            | serve --issuer-url https://h --source files --keys KEY --mirror-resync 0s        | --mirror-resync: 0s is too short",
      "zero connections      | serve --issuer-url https://h --source files --keys KEY --max-connections 0       | --max-connections: 0 is out of range",
      "bad connections       | serve --issuer-url https://h --source files --keys KEY --max-connections many    | --max-connections: 'many' is not a number",
      "short request timeout | serve --issuer-url https://h --source files --keys KEY --request-timeout 10ms    | --request-timeout: 10ms is too short",
      "bad idle timeout      | serve --issuer-url https://h --source files --keys KEY --idle-timeout forever    | --idle-timeout: 'forever' is not a duration"})
  void aWrongFlagStopsStartUpWithOneLineNamingIt(String name, String args, String expected) {
    Run r = run(Map.of(), args.strip().replace("KEY", KEY).replace(" W", " " + GCP_WIF).replace(",W", "," + GCP_WIF)
        .split("\\s+"));
    assertEquals(2, r.exit, r.err);
    assertEquals(1, r.err.strip().lines().count(), "exactly one line: " + r.err);
    assertTrue(r.err.contains(expected), "'" + r.err.strip() + "' should contain '" + expected + "'");
  }

  static final String GCP_WIF = "gcp-wif://projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a";

  @Test
  void aFifoAsKeysIsRefusedWithOneLineNamingTheFlag() throws Exception {
    Path fifo = dir.resolve("sa.pub");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertEquals(0, mkfifo.waitFor(), "mkfifo");
    Run r = run(Map.of(), "serve", "--issuer-url", "https://h", "--source", "files", "--keys", KEY + "," + fifo);
    assertEquals(2, r.exit, r.err);
    assertEquals(1, r.err.strip().lines().count(), "exactly one line: " + r.err);
    assertTrue(r.err.contains("--keys: " + fifo + " is a FIFO (named pipe), not a key file or a directory; "
        + "name the public key file (e.g. /etc/kubernetes/pki/sa.pub) or a directory of key files"), r.err);
  }

  @Test
  void connectionLimitsComeFromFlagsOrTheirTwinsAndDefaultToTheHeap() throws Exception {
    ServeConfig defaults = config(Map.of(), "serve", "--issuer-url", "https://h", "--source", "files", "--keys", KEY);
    assertEquals(io.kubeassume.server.guard.ConnectionLimits.forHeap(Runtime.getRuntime().maxMemory()), defaults.limits());
    assertEquals(false, defaults.h2c());
    ServeConfig set = config(Map.of("KUBEASSUME_MAX_CONNECTIONS", "300", "KUBEASSUME_H2C", "true"), "serve", "--issuer-url",
        "https://h", "--source", "files", "--keys", KEY, "--request-timeout", "5s", "--idle-timeout", "2m");
    assertEquals(new io.kubeassume.server.guard.ConnectionLimits(300, 300, java.time.Duration.ofSeconds(5),
        java.time.Duration.ofMinutes(2)), set.limits());
    assertEquals(true, set.h2c());
  }

  @Test
  void aStateFileThatIsADirectoryIsRefused() {
    Run r = run(Map.of(), "serve", "--issuer-url", "https://h", "--source", "files", "--keys", KEY,
        "--state-file", dir.toString());
    assertEquals(2, r.exit);
    assertTrue(r.err.contains("--state-file: " + dir + " is a directory"), r.err);
  }

  @Test
  void aBadValueFromTheEnvironmentNamesTheVariable() {
    Run r = run(Map.of("KUBEASSUME_PORT", "eighty"), "serve", "--issuer-url", "https://h", "--source", "files", "--keys", KEY);
    assertEquals(2, r.exit);
    assertTrue(r.err.contains("--port (from KUBEASSUME_PORT): 'eighty' is not a number"), r.err);
  }

  @Test
  void everyFlagHasAnEnvironmentTwinThatTheCommandLineOverrides() throws Exception {
    ServeConfig fromEnv = config(Map.of(
        "KUBEASSUME_ISSUER_URL", "https://oidc.example.com",
        "KUBEASSUME_SOURCE", "files",
        "KUBEASSUME_KEYS", KEY + "," + KEY,
        "KUBEASSUME_PORT", "8443",
        "KUBEASSUME_OVERLAP", "1h30m",
        "KUBEASSUME_MAX_AGE", "60",
        "KUBEASSUME_MAX_KEYS", "8"), "serve", "--port", "8444");
    assertEquals("https://oidc.example.com", fromEnv.issuer().value());
    assertEquals(2, fromEnv.keys().size());
    assertEquals(8444, fromEnv.port(), "the flag wins over the environment");
    assertEquals(Duration.ofMinutes(90), fromEnv.overlap());
    assertEquals(60, fromEnv.maxAgeSeconds());
    assertEquals(8, fromEnv.maxKeys());

    CommandLine serve = KubeassumeCommand.commandLine(Map.of()).getSubcommands().get("serve");
    for (OptionSpec option : serve.getCommandSpec().options()) {
      if (option.usageHelp() || option.versionHelp()) {
        continue;
      }
      String variable = EnvironmentDefaults.variableFor(option.longestName());
      assertTrue(String.join(" ", option.description()).contains(variable), option.longestName() + " documents " + variable);
    }
  }

  @Test
  void mirrorFlagsAndTheirEnvironmentTwins() throws Exception {
    ServeConfig c = config(Map.of(
        "KUBEASSUME_MIRROR", "s3://oidc-a/clusters/prod/,azblob://acct01/$web",
        "KUBEASSUME_MIRROR_ENDPOINT", "http://127.0.0.1:9000",
        "KUBEASSUME_MIRROR_REGION", "eu-west-1",
        "KUBEASSUME_MIRROR_RESYNC", "90s"), "serve", "--issuer-url", "https://h", "--source", "files", "--keys", KEY);
    assertEquals(2, c.mirrors().size());
    assertEquals("s3://oidc-a/clusters/prod", c.mirrors().get(0).toString());
    assertEquals("clusters/prod", c.mirrors().get(0).prefix());
    assertEquals("azblob://acct01/$web", c.mirrors().get(1).toString());
    assertEquals(java.net.URI.create("http://127.0.0.1:9000"), c.mirrorEndpoint());
    assertEquals("eu-west-1", c.mirrorRegion());
    assertEquals(Duration.ofSeconds(90), c.mirrorResync());

    ServeConfig flags = config(Map.of("KUBEASSUME_MIRROR", "s3://ignored"), "serve", "--issuer-url", "https://h", "--source", "files", "--keys", KEY,
        "--mirror", "s3://one", "--mirror", "gs://two/p");
    assertEquals(List.of("s3://one", "gs://two/p"), flags.mirrors().stream().map(Object::toString).toList(),
        "repeated flags, and the command line wins over the environment");
  }

  @Test
  void aBadMirrorFromTheEnvironmentNamesTheVariable() {
    Run r = run(Map.of("KUBEASSUME_MIRROR", "s3://oidc/a//b"), "serve", "--issuer-url", "https://h", "--source", "files", "--keys", KEY);
    assertEquals(2, r.exit);
    assertTrue(r.err.contains("--mirror (from KUBEASSUME_MIRROR): 's3://oidc/a//b' has an empty path segment"), r.err);
  }

  /** A kubeconfig in the test's directory, as KUBECONFIG would name it: a cluster to talk to. */
  Map<String, String> withCluster(Map<String, String> env) throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    java.nio.file.Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
        users: [{name: u, user: {token: t}}]
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        """);
    Map<String, String> out = new java.util.HashMap<>(env);
    out.put("KUBECONFIG", kubeconfig.toString());
    return out;
  }

  @Test
  void theKubernetesSourceNeedsNoKeysAndTakesAKubeconfig() throws Exception {
    ServeConfig c = config(Map.of("KUBEASSUME_KUBECONFIG", KEY, "POD_NAMESPACE", "oidc"), "serve", "--issuer-url", "https://h",
        "--source", "kubernetes");
    assertEquals(SourceType.KUBERNETES, c.source());
    assertTrue(c.keys().isEmpty());
    assertEquals(Path.of(KEY), c.kubeconfig());
    assertNull(config(withCluster(Map.of("POD_NAMESPACE", "oidc")), "serve", "--issuer-url", "https://h").kubeconfig(),
        "no --kubeconfig: fabric8's usual resolution");
  }

  /** Outside a cluster, with no kubeconfig anywhere: one line at once, instead of dialling kubernetes.default.svc for ever. */
  @Test
  void noClusterAnywhereStopsAtOnceWithTheWayOut() throws Exception {
    Map<String, String> bare = Map.of("HOME", dir.toString());
    Run r = run(bare, "serve", "--issuer-url", "https://oidc.example.com");
    assertEquals(2, r.exit, r.err);
    assertEquals(List.of("kubeassume serve: --kubeconfig: no cluster found: no in-cluster service account "
        + "(KUBERNETES_SERVICE_HOST and /var/run/secrets/kubernetes.io/serviceaccount/token), no KUBECONFIG, no "
        + dir.resolve(".kube/config") + "; give --kubeconfig FILE to use a cluster, or run locally with --source files "
        + "--keys PATH (e.g. --keys certs/dev/sa.pub)"), r.err.lines().toList());
    // Even with a namespace given, which used to be the only thing asked for.
    Run withNamespace = run(bare, "serve", "--issuer-url", "https://oidc.example.com", "--leader-election-namespace", "ns");
    assertEquals(2, withNamespace.exit);
    assertTrue(withNamespace.err.contains("--kubeconfig: no cluster found"), withNamespace.err);
    // Key files with the ConfigMap store (the hosted-control-plane case) need a cluster too; the way out differs.
    Run files = run(bare, "serve", "--issuer-url", "https://h", "--source", "files", "--keys", KEY, "--store", "configmap");
    assertTrue(files.err.contains("or run locally with --store file"), files.err);
    // A fleet of OIDCIssuer objects needs a cluster too; its way out is an issuers file.
    Run fleet = run(bare, "serve", "--issuers", "kubernetes");
    assertEquals(2, fleet.exit, fleet.err);
    assertEquals(1, fleet.err.lines().count(), fleet.err);
    assertTrue(fleet.err.contains("--kubeconfig: no cluster found") && fleet.err.contains("or run locally with --issuers FILE"),
        fleet.err);
    // A KUBECONFIG naming files that do not exist is no cluster either, and says so.
    Run absent = run(Map.of("HOME", dir.toString(), "KUBECONFIG", dir.resolve("absent").toString()), "serve", "--issuer-url", "https://h");
    assertTrue(absent.err.contains("no file of KUBECONFIG (" + dir.resolve("absent") + ") exists"), absent.err);
    // ~/.kube/config, KUBECONFIG, or the in-cluster service account: found.
    java.nio.file.Files.createDirectories(dir.resolve(".kube"));
    java.nio.file.Files.copy(Path.of(withCluster(Map.of()).get("KUBECONFIG")), dir.resolve(".kube/config"));
    assertEquals("ns", config(bare, "serve", "--issuer-url", "https://h", "--leader-election-namespace", "ns").cluster().namespace());
    Path token = java.nio.file.Files.writeString(dir.resolve("token"), "t");
    Path nowhere = dir.resolve("nowhere");
    EnvironmentDefaults pod = new EnvironmentDefaults(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"));
    assertTrue(new ClusterLocation(pod, token, nowhere).found(), "in-cluster: KUBERNETES_SERVICE_HOST and the token");
    assertTrue(!new ClusterLocation(pod, dir.resolve("no-token"), nowhere).found(), "no token, no service account");
    assertTrue(!new ClusterLocation(new EnvironmentDefaults(Map.of()), token, nowhere).found(), "a token alone is not a cluster");
  }

  @Test
  void keysFromTheEnvironmentWithTheKubernetesSourceNameTheVariable() {
    Run r = run(Map.of("KUBEASSUME_KEYS", KEY), "serve", "--issuer-url", "https://h", "--source", "kubernetes");
    assertEquals(2, r.exit);
    assertTrue(r.err.contains("--keys (from KUBEASSUME_KEYS): is only for --source files"), r.err);
  }

  @Test
  void defaultsAreTheDocumentedOnes() throws Exception {
    ServeConfig c = config(withCluster(Map.of("POD_NAMESPACE", "oidc", "POD_NAME", "kubeassume-7d9f-abcde")),
        "serve", "--issuer-url", "https://oidc.example.com");
    assertEquals(8080, c.port());
    assertEquals(9090, c.managementPort());
    assertEquals("0.0.0.0", c.bind());
    assertEquals(Duration.ofHours(24), c.overlap());
    assertEquals(300, c.maxAgeSeconds());
    assertEquals(100, c.maxKeys());
    assertEquals(Duration.ofSeconds(30), c.pollInterval());
    assertNull(c.stateFile());
    assertEquals(SourceType.KUBERNETES, c.source(), "kubernetes is the default source");
    assertEquals(StoreType.CONFIGMAP, c.store(), "and the ConfigMap its default store");
    assertNull(c.kubeconfig());
    assertTrue(c.mirrors().isEmpty(), "no mirror unless asked for");
    assertNull(c.mirrorEndpoint());
    assertNull(c.mirrorRegion());
    assertEquals(Duration.ofMinutes(5), c.mirrorResync());
    ClusterSettings cluster = c.cluster();
    assertEquals("oidc", cluster.namespace(), "the pod's namespace");
    assertEquals("kubeassume-oidc", cluster.configMap());
    assertEquals("kubeassume", cluster.leaseName());
    assertEquals("kubeassume-7d9f-abcde", cluster.identity(), "the pod's name");
    assertEquals(Duration.ofSeconds(15), cluster.leaseDuration());
    assertEquals(Duration.ofSeconds(10), cluster.renewDeadline());
    assertEquals(Duration.ofSeconds(2), cluster.retryPeriod());

    ServeConfig files = config(Map.of(), "serve", "--issuer-url", "https://oidc.example.com", "--source", "files", "--keys", KEY);
    assertEquals(StoreType.FILE, files.store(), "key files keep the state file (or memory)");
    assertNull(files.cluster());
  }

  @Test
  void theClusterFlagsHaveEnvironmentTwins() throws Exception {
    ServeConfig c = config(withCluster(Map.of(
        "KUBEASSUME_SOURCE", "files",
        "KUBEASSUME_KEYS", KEY,
        "KUBEASSUME_STORE", "configmap",
        "KUBEASSUME_CONFIGMAP", "oidc-docs",
        "KUBEASSUME_LEASE_NAME", "oidc-leader",
        "KUBEASSUME_LEADER_ELECTION_NAMESPACE", "hosted-a",
        "KUBEASSUME_LEASE_DURATION", "30s",
        "KUBEASSUME_RENEW_DEADLINE", "20s",
        "KUBEASSUME_RETRY_PERIOD", "4s",
        "HOSTNAME", "node-1")), "serve", "--issuer-url", "https://oidc.example.com");
    assertEquals(SourceType.FILES, c.source());
    assertEquals(StoreType.CONFIGMAP, c.store(), "files with the ConfigMap store: the HyperShift case");
    assertEquals(new ClusterSettings("hosted-a", "oidc-docs", "oidc-leader", c.cluster().identity(),
        Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(4)), c.cluster());
    assertTrue(c.cluster().identity().matches("node-1-[a-z0-9]{5}"), "host name plus a random suffix: " + c.cluster().identity());
  }

  @Test
  void theNamespaceComesFromTheKubeconfigContextWhenNothingElseNamesIt() throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    java.nio.file.Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
        users: [{name: u, user: {token: t}}]
        contexts: [{name: x, context: {cluster: c, user: u, namespace: from-context}}]
        current-context: x
        """);
    assertEquals("from-context", config(Map.of(), "serve", "--issuer-url", "https://h", "--kubeconfig", kubeconfig.toString())
        .cluster().namespace());
    assertEquals("from-pod", config(Map.of("POD_NAMESPACE", "from-pod"), "serve", "--issuer-url", "https://h",
        "--kubeconfig", kubeconfig.toString()).cluster().namespace(), "POD_NAMESPACE comes first");
  }

  @Test
  void noNamespaceAnywhereNamesTheFlag() throws Exception {
    Run r = run(withCluster(Map.of()), "serve", "--issuer-url", "https://h");
    assertEquals(2, r.exit, r.err);
    assertEquals(1, r.err.strip().lines().count(), r.err);
    assertTrue(r.err.contains("--leader-election-namespace: is not set"), r.err);
  }

  private static String devKey() {
    Path p = Path.of("").toAbsolutePath();
    while (!p.resolve("certs/dev/sa.pub").toFile().exists()) {
      p = p.getParent();
    }
    return p.resolve("certs/dev/sa.pub").toString();
  }
}
