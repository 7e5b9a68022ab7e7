package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.kubeassume.gcp.FakeIam;
import io.kubeassume.verify.HttpsFixture;
import io.kubeassume.verify.TestCa;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code verify --gcp-provider}: the provider's uploaded JWKS, read from {@link FakeIam}, compared with what a local
 * https issuer (test CA) serves. A stale copy is a warning naming the kids; verify only reads.
 */
class VerifyGcpProviderTest {
  static final String NAME = "projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a";
  static TestCa ca;
  static TestCa.Server cert;
  static RSAKey key;
  @TempDir
  static Path dir;
  static Path caFile;

  HttpsFixture issuerServer;
  String issuer;
  FakeIam iam;

  @BeforeAll
  static void pki() throws Exception {
    ca = TestCa.create("verify gcp test");
    cert = ca.server("oidc.test");
    caFile = ca.writeRoot(dir.resolve("ca.pem"));
    key = new RSAKeyGenerator(2048).keyID("key-new").keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
  }

  @BeforeEach
  void start() throws Exception {
    issuerServer = HttpsFixture.https(cert.sslContext()).servesIssuer(key);
    issuer = issuerServer.origin();
    iam = new FakeIam();
    iam.addProvider(NAME, issuer);
  }

  @AfterEach
  void stop() {
    issuerServer.close();
    iam.close();
  }

  record Run(int exit, String out, String err) {
    JsonObject check(String name) {
      JsonArray checks = new JsonObject(out).getJsonArray("checks");
      for (int i = 0; i < checks.size(); i++) {
        if (checks.getJsonObject(i).getString("name").equals(name)) {
          return checks.getJsonObject(i);
        }
      }
      throw new AssertionError("no check " + name + " in " + out);
    }
  }

  Run verify(String... extra) {
    CommandLine cmd = KubeassumeCommand.commandLine(Map.of("KUBEASSUME_GCP_IAM_ENDPOINT", iam.endpoint().toString()));
    VerifyCommand c = (VerifyCommand) cmd.getSubcommands().get("verify").getCommand();
    c.gcpCredentials = SetupGcpCommandTest.TOKEN;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    List<String> args = new java.util.ArrayList<>(List.of("verify", "--issuer-url", issuer, "--ca-file", caFile.toString(),
        "--output", "json"));
    if (!List.of(extra).contains("--cloud")) {
      args.addAll(List.of("--cloud", "gcp"));
    }
    args.addAll(List.of(extra));
    return new Run(cmd.execute(args.toArray(String[]::new)), out.toString(), err.toString());
  }

  void upload(JsonObject keyJson, String description) {
    JsonObject p = iam.provider(NAME);
    p.getJsonObject("oidc").put("jwksJson", new JsonObject().put("keys", new JsonArray().add(keyJson)).encode());
    if (description != null) {
      p.put("description", description);
    }
    iam.putProvider(NAME, p);
  }

  @Test
  void aStaleUploadIsAWarningNamingTheKidsAndTheIssuerStillPasses() throws Exception {
    RSAKey old = new RSAKeyGenerator(2048).keyID("key-old").generate();
    upload(new JsonObject(old.toPublicJWK().toJSONObject()), null);

    Run r = verify("--gcp-provider", NAME);

    assertEquals(0, r.exit(), r.out() + r.err());
    JsonObject c = r.check("gcp.uploaded-jwks");
    assertEquals("WARN", c.getString("status"));
    assertEquals("gcp", c.getString("cloud"));
    assertEquals("the uploaded JWKS (kids [key-old]) lacks [key-new] that the issuer publishes now [key-new]: GCP refuses "
        + "tokens signed with that key (stale after a key rotation); still holds [key-old], no longer served",
        c.getString("message"));
    assertTrue(c.getString("fix").endsWith("--mirror gcp-wif://" + NAME), c.getString("fix"));
    assertEquals(List.of("GET /v1/" + NAME), iam.lines(), "verify only reads");
  }

  @Test
  void anUploadKeptInStepByKubeassumePasses() {
    upload(new JsonObject(key.toPublicJWK().toJSONObject()), "x [kubeassume-revision=3]");

    Run r = verify("--gcp-provider", "gcp-wif://" + NAME);

    assertEquals(0, r.exit(), r.out() + r.err());
    JsonObject c = r.check("gcp.uploaded-jwks");
    assertEquals("PASS", c.getString("status"));
    assertEquals("the uploaded JWKS equals the served one (kids [key-new]) (uploaded by kubeassume serve, revision 3)",
        c.getString("message"));
  }

  @Test
  void aProviderWithoutAnUploadFetchesAndPasses() {
    Run r = verify("--gcp-provider", NAME);
    assertEquals("PASS", r.check("gcp.uploaded-jwks").getString("status"));
    assertTrue(r.check("gcp.uploaded-jwks").getString("message").startsWith("no uploaded JWKS: GCP fetches"));
  }

  @Test
  void aProviderThatCannotBeReadIsAWarning() {
    iam.granted.remove(FakeIam.GET);
    Run r = verify("--gcp-provider", NAME);
    assertEquals(0, r.exit(), r.out());
    JsonObject c = r.check("gcp.uploaded-jwks");
    assertEquals("WARN", c.getString("status"));
    assertTrue(c.getString("message").startsWith("cannot read " + NAME + ": HTTP 403 Permission "
        + "'iam.workloadIdentityPoolProviders.get' denied"), c.getString("message"));
  }

  @Test
  void withoutTheFlagNothingIsRead() {
    Run r = verify();
    assertEquals(0, r.exit(), r.out());
    assertTrue(!r.out().contains("gcp.uploaded-jwks"), r.out());
    assertEquals(List.of(), iam.lines());
  }

  @Test
  void wrongValuesAreOneLineNamingTheFlag() {
    Run aws = verify("--cloud", "aws", "--gcp-provider", NAME);
    assertEquals(2, aws.exit());
    assertEquals("kubeassume verify: --gcp-provider: is for the gcp rules; add gcp to --cloud or leave --gcp-provider out",
        aws.err().strip());
    Run bad = verify("--gcp-provider", "projects/my-project/providers/x");
    assertEquals(2, bad.exit());
    assertEquals(1, bad.err().strip().lines().count(), bad.err());
    assertTrue(bad.err().startsWith("kubeassume verify: --gcp-provider: 'projects/my-project/providers/x' is not a "
        + "provider name; use projects/PROJECT/locations/global/workloadIdentityPools/POOL/providers/PROVIDER"), bad.err());
  }
}
