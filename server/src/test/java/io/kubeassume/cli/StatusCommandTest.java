package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oracle.bmc.auth.SimpleAuthenticationDetailsProvider;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.kubeassume.setup.FakeRest;
import io.kubeassume.setup.aws.FakeIam;
import io.kubeassume.setup.azure.AzurePlanner;
import io.kubeassume.setup.azure.FakeArm;
import io.kubeassume.setup.gcp.FakeGcpIam;
import io.kubeassume.setup.oci.FakeIdentityDomain;
import io.kubeassume.verify.HttpsFixture;
import io.kubeassume.verify.TestCa;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * {@code kubeassume status} against a local https issuer (test CA) and the recording fakes of each cloud API,
 * pre-populated with matching, missing, mismatched, stale, disabled, inactive and full state. Every test also
 * checks that status only read.
 */
class StatusCommandTest {
  static TestCa ca;
  static TestCa.Server cert;
  static RSAKey key;
  @TempDir
  static Path dir;
  static Path caFile;
  static SimpleAuthenticationDetailsProvider ociAuth;

  HttpsFixture issuerServer;
  String issuer;
  FakeIam aws;
  FakeGcpIam gcp;
  FakeArm arm;
  FakeIdentityDomain oci;

  @BeforeAll
  static void pki() throws Exception {
    ca = TestCa.create("status test");
    cert = ca.server("oidc.test");
    caFile = ca.writeRoot(dir.resolve("ca.pem"));
    // An OCI API key whose keyId the fake identity domain accepts.
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(g.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    ociAuth = SimpleAuthenticationDetailsProvider.builder().tenantId("ocid1.tenancy.oc1..test")
        .userId("ocid1.user.oc1..test").fingerprint("11:22:33")
        .privateKeySupplier(() -> new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).build();
    key = new RSAKeyGenerator(2048).keyID("key-new").keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
  }

  @BeforeEach
  void start() throws Exception {
    issuerServer = HttpsFixture.https(cert.sslContext()).servesIssuer(key);
    issuer = issuerServer.origin();
    aws = new FakeIam();
    gcp = new FakeGcpIam();
    arm = new FakeArm();
    oci = new FakeIdentityDomain();
  }

  @AfterEach
  void stop() {
    issuerServer.close();
    aws.close();
    gcp.close();
    arm.close();
    oci.close();
  }

  record Run(int exit, String out, String err) {
    JsonObject json() {
      return new JsonObject(out);
    }

    /** "name STATUS" of every cloud check, in order. */
    List<String> checks() {
      JsonArray a = json().getJsonArray("checks");
      List<String> out = new ArrayList<>();
      for (int i = 0; i < a.size(); i++) {
        out.add(a.getJsonObject(i).getString("name") + " " + a.getJsonObject(i).getString("status"));
      }
      return out;
    }

    JsonObject check(String name) {
      JsonArray a = json().getJsonArray("checks");
      for (int i = 0; i < a.size(); i++) {
        if (a.getJsonObject(i).getString("name").equals(name)) {
          return a.getJsonObject(i);
        }
      }
      throw new AssertionError("no check " + name + " in " + out);
    }
  }

  Run status(Map<String, String> env, String... args) {
    return status(env, true, args);
  }

  Run status(Map<String, String> env, boolean testCredentials, String... args) {
    CommandLine cmd = KubeassumeCommand.commandLine(env);
    StatusCommand c = (StatusCommand) cmd.getSubcommands().get("status").getCommand();
    if (!testCredentials) {
      return execute(cmd, args);
    }
    c.awsCredentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret"));
    c.gcpCredentials = SetupGcpCommandTest.TOKEN;
    c.azureCredential = SetupAzureCommandTest.TOKEN;
    c.ociAuth = ociAuth;
    return execute(cmd, args);
  }

  Run execute(CommandLine cmd, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of("status", "--ca-file", caFile.toString(),
        "--aws-iam-endpoint", aws.endpoint().toString(), "--gcp-iam-endpoint", gcp.endpoint().toString(),
        "--arm-endpoint", arm.endpoint().toString()));
    all.addAll(List.of(args));
    return new Run(cmd.execute(all.toArray(String[]::new)), out.toString(), err.toString());
  }

  Run status(String... args) {
    return status(Map.of(), args);
  }

  Run json(String... args) {
    List<String> all = new ArrayList<>(List.of("--issuer-url", issuer, "--output", "json"));
    all.addAll(List.of(args));
    return status(all.toArray(String[]::new));
  }

  static final String[] GCP = {"--gcp", "--project", "my-project", "--pool-id", "k8s-pool", "--provider-id", "cluster-a"};
  static final String[] AZURE = {"--azure", "--subscription", "sub-1", "--resource-group", "rg", "--identity",
      "app-identity"};

  String[] ociFlags() {
    return new String[] {"--oci", "--domain-url", oci.endpoint().toString()};
  }

  /** Status never writes: only GETs on the REST fakes, only List/Get on IAM. */
  @AfterEach
  void onlyReads() {
    for (FakeRest rest : List.of(gcp.rest(), arm.rest(), oci.rest())) {
      for (FakeRest.Request r : rest.requests()) {
        assertEquals("GET", r.method(), "status sent " + r);
      }
    }
    for (String action : aws.actions()) {
      assertTrue(action.startsWith("List") || action.startsWith("Get"), "status sent iam:" + action);
    }
  }

  void gcpState(String issuerUri, String jwksJson, boolean disabled) {
    gcp.pools.put("k8s-pool", new JsonObject().put("name", "projects/123456789/locations/global/workloadIdentityPools/"
        + "k8s-pool").put("state", "ACTIVE"));
    JsonObject oidc = new JsonObject().put("issuerUri", issuerUri);
    if (jwksJson != null) {
      oidc.put("jwksJson", jwksJson);
    }
    gcp.providers.put("cluster-a", new JsonObject().put("name", "projects/123456789/locations/global/"
        + "workloadIdentityPools/k8s-pool/providers/cluster-a").put("state", "ACTIVE").put("disabled", disabled)
        .put("oidc", oidc));
  }

  /** An upload of the served key (kid key-new, its own material) or of another key under {@code kid}. */
  static String uploaded(String kid) {
    JsonObject k = kid.equals(key.getKeyID()) ? new JsonObject(key.toPublicJWK().toJSONObject())
        : new JsonObject().put("kty", "RSA").put("kid", kid).put("n", "AQAB").put("e", "AQAB");
    return new JsonObject().put("keys", new JsonArray().add(k)).encode();
  }

  // ---- gcp ---------------------------------------------------------------------------------------

  @Test
  void gcpMatchingPassesWithTheVerifySummary() {
    gcpState(issuer, uploaded("key-new"), false);
    Run r = json(GCP);
    assertEquals(0, r.exit(), r.out() + r.err());
    assertEquals(List.of("gcp.pool PASS", "gcp.provider PASS", "gcp.issuer PASS", "gcp.audiences PASS", "gcp.jwks PASS"),
        r.checks());
    JsonObject verify = r.json().getJsonObject("verify");
    assertEquals("pass", verify.getString("result"));
    assertEquals(List.of("gcp"), verify.getJsonArray("clouds").getList());
    assertEquals(0, verify.getJsonObject("counts").getInteger("fail"));
    assertTrue(verify.getJsonObject("counts").getInteger("pass") > 5, verify.encode());
    assertEquals("pass", r.json().getString("result"));
    assertEquals(List.of("GET " + "/v1/projects/my-project/locations/global/workloadIdentityPools/k8s-pool",
        "GET /v1/projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a"),
        gcp.rest().lines());
  }

  @Test
  void gcpStaleUploadedJwksFailsWithTheUploadFix() {
    gcpState(issuer, uploaded("key-old"), false);
    Run r = json(GCP);
    assertEquals(1, r.exit(), r.out());
    JsonObject jwks = r.check("gcp.jwks");
    assertEquals("FAIL", jwks.getString("status"));
    assertEquals("gcp", jwks.getString("cloud"));
    assertTrue(jwks.getString("message").contains("lacks [key-new]"), jwks.encode());
    assertEquals("upload the current keys: curl -s " + issuer + "/openid/v1/jwks > jwks.json && kubeassume setup gcp "
        + "--issuer-url " + issuer + " --project my-project --pool-id k8s-pool --provider-id cluster-a "
        + "--jwks-file jwks.json", jwks.getString("fix"));
    assertEquals("fail", r.json().getString("result"));
    assertEquals("pass", r.json().getJsonObject("verify").getString("result"), "the issuer itself is fine");
  }

  @Test
  void gcpAnUploadWithTheServedKidButOtherKeyMaterialFails() {
    gcpState(issuer, new JsonObject().put("keys", new JsonArray().add(new JsonObject().put("kty", "RSA")
        .put("kid", "key-new").put("n", "AQAB").put("e", "AQAB"))).encode(), false);
    Run r = json(GCP);
    assertEquals(1, r.exit(), r.out());
    JsonObject jwks = r.check("gcp.jwks");
    assertEquals("FAIL", jwks.getString("status"));
    assertEquals("the uploaded JWKS (kids [key-new]) has other key material than the issuer for [key-new]: GCP checks "
        + "tokens signed with that kid against the wrong key", jwks.getString("message"));
  }

  @Test
  void gcpMismatchedIssuerDisabledProviderAndMissingPool() {
    gcpState("https://old.example.com", null, true);
    Run r = json(GCP);
    assertEquals(1, r.exit());
    assertEquals(List.of("gcp.pool PASS", "gcp.provider FAIL", "gcp.issuer FAIL", "gcp.audiences PASS", "gcp.jwks PASS"),
        r.checks());
    assertTrue(r.check("gcp.issuer").getString("message").contains("'https://old.example.com'"));

    gcp.pools.clear();
    gcp.rest().clear();
    Run missing = json(GCP);
    assertEquals(1, missing.exit());
    assertEquals(List.of("gcp.pool FAIL"), missing.checks());
    assertEquals(1, gcp.rest().lines().size(), "no provider read without a pool: " + gcp.rest().lines());
  }

  @Test
  void gcpDeniedIsOneLineNamingTheMissingRole() {
    gcp.deny = true;
    Run r = json(GCP);
    assertEquals(1, r.exit());
    JsonObject access = r.check("gcp.access");
    assertEquals("FAIL", access.getString("status"));
    assertTrue(access.getString("message").contains("roles/iam.workloadIdentityPoolViewer"), access.encode());
    assertEquals(1, r.checks().size());
  }

  // ---- aws ---------------------------------------------------------------------------------------

  @Test
  void awsMatchingProviderAndThumbprint() throws Exception {
    String print = VerifyCommandTest.sha1Hex(ca.intermediate.getEncoded());
    aws.putProvider(issuer, List.of("sts.amazonaws.com"), List.of(print));
    Run r = json("--aws");
    // AWS refuses issuers with a port, as every local one has: verify fails that, the trust itself matches.
    assertEquals(1, r.exit(), r.out());
    assertEquals(List.of("aws.provider PASS", "aws.audiences PASS", "aws.thumbprint PASS"), r.checks());
    assertEquals(FakeIam.arn(issuer), r.check("aws.provider").getString("message"));
    assertTrue(r.check("aws.thumbprint").getString("message").contains(print));
    JsonArray failures = r.json().getJsonObject("verify").getJsonArray("failures");
    assertEquals(1, failures.size(), failures.encode());
    assertEquals("issuer.port", failures.getJsonObject(0).getString("name"));
    assertEquals(List.of("ListOpenIDConnectProviders", "GetOpenIDConnectProvider"), aws.actions());
  }

  @Test
  void awsMismatchedThumbprintWarnsAndMissingProviderFails() {
    aws.putProvider(issuer, List.of("sts.amazonaws.com"), List.of("0000000000000000000000000000000000000001"));
    Run r = json("--aws");
    JsonObject t = r.check("aws.thumbprint");
    assertEquals("WARN", t.getString("status"));
    assertTrue(t.getString("message").contains("AWS ignores thumbprints"), t.encode());

    aws.providers.clear();
    Run missing = json("--aws");
    assertEquals(List.of("aws.provider FAIL"), missing.checks());
    assertEquals("kubeassume setup aws --issuer-url " + issuer, missing.check("aws.provider").getString("fix"));
  }

  @Test
  void awsMissingPermissionIsOneLine() {
    aws.denied.add("ListOpenIDConnectProviders");
    Run r = json("--aws");
    JsonObject access = r.check("aws.access");
    assertTrue(access.getString("message").startsWith("AWS denied iam:ListOpenIDConnectProviders: the caller lacks "
        + "the permission iam:ListOpenIDConnectProviders"), access.encode());
    assertTrue(access.getString("fix").contains("iam:GetOpenIDConnectProvider"));
  }

  // ---- azure -------------------------------------------------------------------------------------

  @Test
  void azureListsTheCredentialsForTheIssuerAndWarnsAtTwenty() {
    arm.put("kubeassume-backend-app", issuer, "system:serviceaccount:backend:app");
    arm.put("other-cluster", "https://other.example.com", "system:serviceaccount:x:y");
    Run r = json(AZURE);
    assertEquals(0, r.exit(), r.out());
    assertEquals(List.of("azure.identity PASS", "azure.credential PASS", "azure.limit PASS"), r.checks());
    assertTrue(r.check("azure.identity").getString("message").contains(FakeArm.CLIENT_ID));
    assertEquals("kubeassume-backend-app trusts system:serviceaccount:backend:app (audiences "
        + AzurePlanner.AUDIENCE + ")", r.check("azure.credential").getString("message"));

    for (int i = 0; i < 18; i++) {
      arm.put("sa-" + i, issuer, "system:serviceaccount:team:sa-" + i);
    }
    Run full = json(AZURE);
    assertEquals(0, full.exit(), "a full identity still trusts the issuer: a warning");
    assertEquals(19, full.checks().stream().filter(c -> c.equals("azure.credential PASS")).count());
    JsonObject limit = full.check("azure.limit");
    assertEquals("WARN", limit.getString("status"));
    assertTrue(limit.getString("message").startsWith("20 of 20 federated credentials"), limit.encode());
  }

  @Test
  void azureMissingIdentityAndNoCredentialForTheIssuer() {
    Run missing = json("--azure", "--subscription", "sub-1", "--resource-group", "rg", "--identity", "gone");
    assertEquals(1, missing.exit());
    assertEquals(List.of("azure.identity FAIL"), missing.checks());
    assertTrue(missing.check("azure.identity").getString("fix").startsWith("az identity create -g rg -n gone"));

    arm.put("other-cluster", "https://other.example.com", "system:serviceaccount:x:y");
    Run none = json(AZURE);
    assertEquals(1, none.exit());
    assertEquals("FAIL", none.check("azure.credential").getString("status"));
    assertTrue(none.check("azure.credential").getString("fix").startsWith("kubeassume setup azure --issuer-url " + issuer));
  }

  // ---- oci ---------------------------------------------------------------------------------------

  void ociTrust(boolean active) {
    oci.trusts.put("trust-1", new JsonObject().put("id", "trust-1").put("name", "kubeassume-test").put("type", "JWT")
        .put("issuer", issuer).put("active", active).put("publicKeyEndpoint", issuer + "/openid/v1/jwks"));
  }

  @Test
  void ociActiveTrustPassesAndInactiveFails() {
    ociTrust(true);
    Run r = json(ociFlags());
    assertEquals(0, r.exit(), r.out());
    assertEquals(List.of("oci.trust PASS", "oci.keys PASS"), r.checks());

    ociTrust(false);
    Run inactive = json(ociFlags());
    assertEquals(1, inactive.exit());
    assertEquals(List.of("oci.trust FAIL", "oci.keys PASS"), inactive.checks());
    assertTrue(inactive.check("oci.trust").getString("message").contains("inactive"));

    oci.trusts.clear();
    assertEquals(List.of("oci.trust FAIL"), json(ociFlags()).checks());
  }

  @Test
  void missingOciCredentialsAreOneLineSayingHowToProvideThem() {
    Path config = dir.resolve("no-such-oci-config");
    List<String> args = new ArrayList<>(List.of("--issuer-url", issuer, "--output", "json", "--oci-config",
        config.toString()));
    args.addAll(List.of(ociFlags()));
    Run r = status(Map.of(), false, args.toArray(String[]::new));
    assertEquals(1, r.exit(), r.out() + r.err());
    assertEquals(List.of("oci.access FAIL"), r.checks());
    String message = r.check("oci.access").getString("message");
    assertTrue(message.startsWith("no usable OCI credentials in " + config + " profile DEFAULT"), message);
    assertTrue(message.endsWith("run oci setup config, or pass --oci-config/--oci-profile"), message);
    assertEquals(List.of(), oci.rest().lines());
  }

  // ---- all together, text, usage -----------------------------------------------------------------

  @Test
  void textReportForSeveralCloudsOneLinePerCheck() {
    gcpState(issuer, uploaded("key-old"), false);
    arm.put("kubeassume-backend-app", issuer, "system:serviceaccount:backend:app");
    ociTrust(true);
    List<String> args = new ArrayList<>(List.of("--issuer-url", issuer));
    args.addAll(List.of(GCP));
    args.addAll(List.of(AZURE));
    args.addAll(List.of(ociFlags()));
    Run r = status(args.toArray(String[]::new));
    assertEquals(1, r.exit(), r.out() + r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals("kubeassume status " + issuer, lines.get(0));
    assertTrue(lines.get(1).startsWith("verify (gcp, azure, oci): PASS (0 failed, 1 warnings, "), lines.get(1));
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("FAIL gcp.jwks ") && l.contains(" | fix: upload the current keys")),
        r.out());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("PASS azure.credential ")), r.out());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("PASS oci.trust ")), r.out());
    assertEquals("Result: FAIL (verify passed; trust: 1 failed, 0 warnings, 9 passed)", lines.get(lines.size() - 1));
    assertEquals("", r.err());
  }

  @Test
  void withoutACloudItIsTheVerifySummaryForAll() {
    Run r = json();
    // Every cloud's rules, so AWS's port rule fails on this local issuer.
    assertEquals(1, r.exit());
    assertEquals(List.of("aws", "gcp", "azure", "oci"), r.json().getJsonObject("verify").getJsonArray("clouds").getList());
    assertEquals(List.of(), r.checks());
  }

  @Test
  void usageErrorsExitTwoWithOneLineNamingTheFlag() {
    Run noIssuer = status("--aws");
    assertEquals(2, noIssuer.exit());
    assertTrue(noIssuer.err().startsWith("kubeassume status: --issuer-url: is required"), noIssuer.err());

    Run projectOnly = status("--issuer-url", issuer, "--project", "my-project");
    assertEquals(2, projectOnly.exit());
    assertEquals("kubeassume status: --project: is for --gcp; add --gcp to check that cloud, or leave --project out",
        projectOnly.err().strip());

    Run noPool = status("--issuer-url", issuer, "--gcp", "--project", "my-project", "--provider-id", "cluster-a");
    assertEquals(2, noPool.exit());
    assertTrue(noPool.err().contains("--pool-id: is required"), noPool.err());

    Run env = status(Map.of("KUBEASSUME_OUTPUT", "yaml"), "--issuer-url", issuer);
    assertEquals(2, env.exit());
    assertTrue(env.err().contains("--output (from KUBEASSUME_OUTPUT): 'yaml' is not a format"), env.err());

    Run azure = status(Map.of("KUBEASSUME_AZURE", "true", "KUBEASSUME_ISSUER_URL", issuer), "--subscription", "sub-1");
    assertEquals(2, azure.exit());
    assertTrue(azure.err().contains("--resource-group: is required"), azure.err());
    for (Run u : List.of(noIssuer, projectOnly, noPool, env, azure)) {
      assertEquals(1, u.err().strip().lines().count(), u.err());
      assertEquals("", u.out());
    }
    assertEquals(List.of(), gcp.rest().lines());
  }

  @Test
  void flagsComeFromTheEnvironmentToo() {
    gcpState(issuer, null, false);
    Map<String, String> env = new TreeMap<>(Map.of("KUBEASSUME_ISSUER_URL", issuer, "KUBEASSUME_GCP", "true",
        "KUBEASSUME_PROJECT", "my-project", "KUBEASSUME_POOL_ID", "k8s-pool", "KUBEASSUME_PROVIDER_ID", "cluster-a",
        "KUBEASSUME_OUTPUT", "json"));
    Run r = status(env);
    assertEquals(0, r.exit(), r.out() + r.err());
    Set<String> names = r.checks().stream().map(c -> c.split(" ")[0]).collect(Collectors.toSet());
    assertEquals(Set.of("gcp.pool", "gcp.provider", "gcp.issuer", "gcp.audiences", "gcp.jwks"), names);
    assertFalse(r.out().contains("FAIL"), r.out());
  }
}
