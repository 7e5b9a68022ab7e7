package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.gcp.FakeIam;
import io.kubeassume.gcp.FakeGcp;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubeassume serve --mirror gcp-wif://...} against {@link FakeIam}: a provider kubeassume cannot keep in step
 * stops start-up with exit code 1 and one line naming the target, the cause and the fix (the missing permission by
 * name). Credentials: a workload identity federation credential configuration, read by google-auth from the file
 * named by GOOGLE_APPLICATION_CREDENTIALS (the system property of that name, as the environment cannot be set in a
 * test) and exchanged at the fake's token endpoint.
 */
class GcpWifStartupTest {
  static final String NAME = FakeGcp.PROVIDER;
  static final String TARGET = FakeGcp.TARGET;
  static final String PREFIX = "kubeassume serve: cannot start: --mirror " + TARGET + ": ";

  @TempDir
  Path dir;
  FakeGcp gcp;
  FakeIam iam;

  @BeforeEach
  void start() throws Exception {
    gcp = FakeGcp.start(dir, "https://h");
    iam = gcp.iam;
  }

  @AfterEach
  void stop() throws Exception {
    gcp.close();
  }

  private ServeFlagsTest.Run serve() {
    return ServeFlagsTest.run(Map.of("KUBEASSUME_GCP_IAM_ENDPOINT", iam.endpoint().toString()),
        "serve", "--issuer-url", "https://h", "--source", "files", "--keys", ServeFlagsTest.KEY, "--port", "0",
        "--management-port", "0", "--mirror", TARGET);
  }

  private static String oneLine(ServeFlagsTest.Run r) {
    assertEquals(ExitCodes.FAILURE, r.exit(), r.err());
    assertEquals(1, r.err().strip().lines().count(), "exactly one line: " + r.err());
    assertTrue(r.err().startsWith(PREFIX), r.err());
    return r.err().strip().substring(PREFIX.length());
  }

  @Test
  void aProviderThatDoesNotExist() {
    iam.removeProvider(NAME);
    String line = oneLine(serve());
    assertEquals("the provider does not exist (404 Requested entity was not found.); create it first: kubeassume setup "
        + "gcp --issuer-url https://h --project my-project --pool-id k8s-pool --provider-id cluster-a", line);
  }

  @Test
  void aProviderThatIsNotOidc() {
    iam.putProvider(NAME, new JsonObject().put("state", "ACTIVE").put("aws", new JsonObject().put("accountId", "123")));
    assertTrue(oneLine(serve()).startsWith("the provider is not an OIDC provider"));
  }

  @Test
  void aDeletedProvider() {
    iam.putProvider(NAME, iam.provider(NAME).put("state", "DELETED"));
    assertEquals("the provider is deleted (kept for 30 days, then purged); restore it: gcloud iam workload-identity-pools "
        + "providers undelete cluster-a --workload-identity-pool=k8s-pool --location=global --project=my-project",
        oneLine(serve()));
  }

  @Test
  void credentialsWithoutTheGetPermission() {
    iam.granted.remove(FakeIam.GET);
    String line = oneLine(serve());
    assertTrue(line.startsWith("cannot read the provider: Google denied iam.workloadIdentityPoolProviders.get (403 "
        + "Permission 'iam.workloadIdentityPoolProviders.get' denied"), line);
    assertTrue(line.endsWith("grant kubeassume's identity a role with iam.workloadIdentityPoolProviders.get and "
        + "iam.workloadIdentityPoolProviders.update on the pool (the custom role in docs/setup-gcp.md, 'Issuers that are "
        + "not public')"), line);
  }

  @Test
  void credentialsWithoutTheUpdatePermission() {
    iam.granted.remove(FakeIam.UPDATE);
    assertTrue(oneLine(serve()).startsWith("kubeassume's identity lacks iam.workloadIdentityPoolProviders.update on "
        + "workload identity pool k8s-pool (IAM reports only [iam.workloadIdentityPoolProviders.get]); grant"));
    assertEquals(0, iam.count("PATCH "), "the check writes nothing");
  }

  @Test
  void noUsableCredentials() {
    System.setProperty("GOOGLE_APPLICATION_CREDENTIALS", dir.resolve("absent.json").toString());
    String line = oneLine(serve());
    assertTrue(line.startsWith("no usable Google credentials ("), line);
    assertTrue(line.endsWith("run on GKE with workload identity, or set GOOGLE_APPLICATION_CREDENTIALS to a credential "
        + "configuration (workload identity federation) or a key file"), line);
  }

  @Test
  void theFederatedCredentialsWereExchangedAndUsed() {
    iam.granted.remove(FakeIam.UPDATE);
    oneLine(serve());
    assertEquals(1, gcp.sts.subjectTokens.size(), "google-auth exchanged the subject token from the file");
    assertTrue(gcp.sts.subjectTokens.get(0).startsWith("eyJhbGciOiJSUzI1NiJ9."), gcp.sts.subjectTokens.toString());
    assertTrue(iam.rest().requests().get(0).authorization().startsWith("Bearer sts-token-"),
        "the IAM read carried the exchanged token");
  }
}
