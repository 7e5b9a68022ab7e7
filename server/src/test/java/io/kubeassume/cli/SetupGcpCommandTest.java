package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import io.kubeassume.setup.gcp.FakeGcpIam;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code setup gcp}: IAM v1 REST through the JDK HttpClient with google-auth-library credentials, against a fake. */
class SetupGcpCommandTest {
  static final String ISSUER = "https://oidc.example.com";
  static final String POOLS = "/v1/projects/my-project/locations/global/workloadIdentityPools";
  static final GoogleCredentials TOKEN = GoogleCredentials.create(
      new AccessToken("test-gcp-token", Date.from(Instant.now().plusSeconds(3600))));

  @TempDir
  Path dir;
  FakeGcpIam gcp;

  @BeforeEach
  void start() throws Exception {
    gcp = new FakeGcpIam();
  }

  @AfterEach
  void stop() {
    gcp.close();
  }

  private SetupCli.Result run(String... extra) {
    List<String> args = new ArrayList<>(List.of("--iam-endpoint", gcp.endpoint().toString(), "--issuer-url", ISSUER,
        "--project", "my-project", "--pool-id", "k8s-pool", "--provider-id", "cluster-a",
        "--namespace", "backend", "--service-account", "app"));
    args.addAll(List.of(extra));
    return SetupCli.<SetupGcpCommand>run(Map.of(), "gcp", c -> c.credentials = TOKEN, args.toArray(String[]::new));
  }

  @Test
  void createsPoolAndProviderWithTheExactRequests() {
    SetupCli.Result r = run();
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of(
        "GET " + POOLS + "/k8s-pool",
        "POST " + POOLS + "?workloadIdentityPoolId=k8s-pool",
        "GET /v1/projects/my-project/locations/global/workloadIdentityPools/k8s-pool/operations/create-pool",
        "GET " + POOLS + "/k8s-pool",
        "GET " + POOLS + "/k8s-pool/providers/cluster-a",
        "POST " + POOLS + "/k8s-pool/providers?workloadIdentityPoolProviderId=cluster-a"), gcp.rest().lines());
    JsonObject provider = gcp.rest().requests().get(5).json();
    assertEquals(new JsonObject("""
        {"displayName":"kubeassume",
         "attributeMapping":{"google.subject":"assertion.sub",
           "attribute.namespace":"assertion['kubernetes.io']['namespace']",
           "attribute.service_account":"assertion['kubernetes.io']['serviceaccount']['name']"},
         "oidc":{"issuerUri":"https://oidc.example.com"}}"""), provider);
    String base = "//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/k8s-pool";
    assertTrue(r.out().contains("service account principal: principal:" + base
        + "/subject/system:serviceaccount:backend:app"), r.out());
    assertTrue(r.out().contains("namespace principalSet: principalSet:" + base + "/attribute.namespace/backend"), r.out());
    assertTrue(r.out().contains("token audience: " + base + "/providers/cluster-a"), r.out());
    assertTrue(r.out().contains("gcloud projects add-iam-policy-binding my-project --role=ROLE --member=\"principal:"
        + base + "/subject/system:serviceaccount:backend:app\""), r.out());
  }

  @Test
  void aSecondRunChangesNothing() {
    assertEquals(0, run().exit());
    gcp.rest().clear();
    SetupCli.Result again = run();
    assertEquals(0, again.exit(), again.err());
    assertEquals(List.of("GET " + POOLS + "/k8s-pool", "GET " + POOLS + "/k8s-pool/providers/cluster-a"),
        gcp.rest().lines());
    assertTrue(again.out().contains("provider cluster-a is up to date"), again.out());
  }

  @Test
  void anExistingProviderIsPatchedWithExactlyTheChangedFields() throws Exception {
    assertEquals(0, run().exit());
    gcp.rest().clear();
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"use\":\"sig\",\"alg\":\"RS256\","
        + "\"n\":\"sXch\",\"e\":\"AQAB\"}]}");
    SetupCli.Result r = run("--audience", "kubeassume", "--jwks-file", jwks.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals("PATCH " + POOLS + "/k8s-pool/providers/cluster-a?updateMask=oidc.allowedAudiences,oidc.jwksJson",
        gcp.rest().lines().get(2));
    JsonObject oidc = gcp.providers.get("cluster-a").getJsonObject("oidc");
    assertEquals(List.of("kubeassume"), oidc.getJsonArray("allowedAudiences").getList());
    assertEquals("k1", new JsonObject(oidc.getString("jwksJson")).getJsonArray("keys").getJsonObject(0).getString("kid"));
  }

  @Test
  void dryRunSendsNoRequest() {
    SetupCli.Result r = run("--dry-run", "--project-number", "42");
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of(), gcp.rest().requests());
    assertTrue(r.out().contains("would call: POST " + gcp.endpoint() + POOLS
        + "/k8s-pool/providers?workloadIdentityPoolProviderId=cluster-a {"), r.out());
    assertTrue(r.out().contains("principal://iam.googleapis.com/projects/42/"), r.out());
  }

  @Test
  void aDeniedPermissionIsOneLine() {
    gcp.deny = true;
    SetupCli.Result r = run();
    assertEquals(1, r.exit());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("kubeassume setup gcp: Google denied the request to read workload identity pool "
        + "k8s-pool: the caller needs roles/iam.workloadIdentityPoolAdmin"), r.err());
  }

  @Test
  void aJwksGcpWouldRefuseStopsBeforeAnyRequest() throws Exception {
    Path jwks = dir.resolve("bad.json");
    Files.writeString(jwks, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"k1\",\"n\":\"x\",\"e\":\"AQAB\",\"x5c\":[\"a\"]}]}");
    SetupCli.Result r = run("--jwks-file", jwks.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--jwks-file: " + jwks + " key k1 has member 'x5c'"), r.err());
    assertFalse(r.err().contains("\n" + "kubeassume"), r.err());
    assertEquals(List.of(), gcp.rest().requests());
  }
}
