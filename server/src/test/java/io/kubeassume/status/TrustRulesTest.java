package io.kubeassume.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.setup.aws.AwsProvider;
import io.kubeassume.setup.azure.AzureCredential;
import io.kubeassume.verify.CheckResult;
import io.kubeassume.verify.Cloud;
import io.kubeassume.verify.Status;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure comparison rules of status: what each cloud returned plus the issuer's facts give these lines. */
class TrustRulesTest {
  static final String ISSUER = "https://oidc.example.com";
  static final String PRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";
  static final IssuerFacts FACTS = new IssuerFacts(ISSUER, ISSUER + "/openid/v1/jwks",
      List.of(Map.of("kty", "RSA", "kid", "new", "n", "AQAB", "e", "AQAB", "use", "sig", "alg", "RS256")), PRINT);
  static final IssuerFacts UNKNOWN = new IssuerFacts(ISSUER, ISSUER + "/openid/v1/jwks", null, null);
  static final GcpTarget GCP = new GcpTarget("my-project", "k8s-pool", "cluster-a");
  static final AzureTarget AZURE = new AzureTarget("sub-1", "rg", "app-identity");

  /** name → status of each line (the last line of a name wins, enough for these tests). */
  static Map<String, Status> statuses(List<CheckResult> results) {
    Map<String, Status> m = new LinkedHashMap<>();
    results.forEach(r -> m.put(r.name(), r.status()));
    return m;
  }

  static CheckResult line(List<CheckResult> results, String name) {
    return results.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void awsProviderMissingMatchingAndStale() {
    List<CheckResult> missing = AwsTrust.evaluate(Optional.empty(), FACTS);
    assertEquals(Map.of("aws.provider", Status.FAIL), statuses(missing));
    assertEquals("kubeassume setup aws --issuer-url " + ISSUER, missing.get(0).fix());
    assertEquals(Cloud.AWS, missing.get(0).cloud());

    AwsProvider good = new AwsProvider("arn:aws:iam::1:oidc-provider/oidc.example.com", List.of("sts.amazonaws.com"),
        List.of(PRINT));
    assertEquals(Map.of("aws.provider", Status.PASS, "aws.audiences", Status.PASS, "aws.thumbprint", Status.PASS),
        statuses(AwsTrust.evaluate(Optional.of(good), FACTS)));

    AwsProvider stale = new AwsProvider(good.arn(), List.of("other"), List.of("0000000000000000000000000000000000000001"));
    List<CheckResult> r = AwsTrust.evaluate(Optional.of(stale), FACTS);
    assertEquals(Map.of("aws.provider", Status.PASS, "aws.audiences", Status.WARN, "aws.thumbprint", Status.WARN),
        statuses(r));
    assertTrue(line(r, "aws.thumbprint").message().contains("public CAs"), line(r, "aws.thumbprint").message());

    AwsProvider noAudience = new AwsProvider(good.arn(), List.of(), List.of());
    List<CheckResult> none = AwsTrust.evaluate(Optional.of(noAudience), UNKNOWN);
    assertEquals(Status.FAIL, line(none, "aws.audiences").status());
    assertEquals(Status.WARN, line(none, "aws.thumbprint").status(), "unknown chain: a warning, not a guess");
  }

  static JsonObject pool() {
    return new JsonObject().put("name", "projects/123/locations/global/workloadIdentityPools/k8s-pool")
        .put("state", "ACTIVE");
  }

  static JsonObject provider(String issuerUri, String jwksJson) {
    JsonObject oidc = new JsonObject().put("issuerUri", issuerUri);
    if (jwksJson != null) {
      oidc.put("jwksJson", jwksJson);
    }
    return new JsonObject().put("name", "projects/123/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a")
        .put("state", "ACTIVE").put("disabled", false).put("oidc", oidc);
  }

  static String jwks(String... kids) {
    JsonArray keys = new JsonArray();
    for (String k : kids) {
      keys.add(new JsonObject().put("kty", "RSA").put("kid", k).put("n", "AQAB").put("e", "AQAB"));
    }
    return new JsonObject().put("keys", keys).encode();
  }

  List<CheckResult> gcp(JsonObject provider) {
    return GcpTrust.evaluate(GCP, Optional.of(pool()), Optional.ofNullable(provider), FACTS);
  }

  @Test
  void gcpPoolAndProviderStates() {
    assertEquals(Map.of("gcp.pool", Status.FAIL), statuses(GcpTrust.evaluate(GCP, Optional.empty(), Optional.empty(),
        FACTS)));
    assertEquals(Map.of("gcp.pool", Status.PASS, "gcp.provider", Status.FAIL), statuses(gcp(null)));

    List<CheckResult> deletedPool = GcpTrust.evaluate(GCP, Optional.of(pool().put("state", "DELETED")), Optional.empty(),
        FACTS);
    assertTrue(deletedPool.get(0).fix().startsWith("gcloud iam workload-identity-pools undelete k8s-pool"),
        deletedPool.get(0).fix());
    List<CheckResult> disabledPool = GcpTrust.evaluate(GCP, Optional.of(pool().put("disabled", true)),
        Optional.of(provider(ISSUER, null)), FACTS);
    assertEquals(Status.FAIL, line(disabledPool, "gcp.pool").status());
    assertTrue(line(disabledPool, "gcp.pool").fix().endsWith("--no-disabled"));

    List<CheckResult> disabled = gcp(provider(ISSUER, null).put("disabled", true));
    assertEquals(Status.FAIL, line(disabled, "gcp.provider").status());
    assertTrue(line(disabled, "gcp.provider").fix().contains("kubeassume setup gcp --issuer-url " + ISSUER
        + " --project my-project --pool-id k8s-pool --provider-id cluster-a"));

    List<CheckResult> deleted = gcp(provider(ISSUER, null).put("state", "DELETED"));
    assertTrue(line(deleted, "gcp.provider").fix().contains("providers undelete cluster-a"));
  }

  @Test
  void gcpIssuerAudiencesAndUploadedJwks() {
    assertEquals(Map.of("gcp.pool", Status.PASS, "gcp.provider", Status.PASS, "gcp.issuer", Status.PASS,
        "gcp.audiences", Status.PASS, "gcp.jwks", Status.PASS), statuses(gcp(provider(ISSUER, null))));
    assertTrue(line(gcp(provider(ISSUER, null)), "gcp.audiences").message().contains(
        "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a"));

    CheckResult slash = line(gcp(provider(ISSUER + "/", null)), "gcp.issuer");
    assertEquals(Status.FAIL, slash.status());
    assertTrue(slash.message().contains("trailing slash"), slash.message());

    CheckResult stale = line(gcp(provider(ISSUER, jwks("old"))), "gcp.jwks");
    assertEquals(Status.FAIL, stale.status());
    assertTrue(stale.message().contains("lacks [new]"), stale.message());
    assertTrue(stale.fix().contains("--jwks-file jwks.json"), stale.fix());
    assertEquals(Status.WARN, line(gcp(provider(ISSUER, jwks("old", "new"))), "gcp.jwks").status());
    assertEquals(Status.PASS, line(gcp(provider(ISSUER, jwks("new"))), "gcp.jwks").status());
    assertEquals(Status.FAIL, line(gcp(provider(ISSUER, "not json")), "gcp.jwks").status());
    assertEquals(Status.WARN, line(GcpTrust.evaluate(GCP, Optional.of(pool()), Optional.of(provider(ISSUER, jwks("old"))),
        UNKNOWN), "gcp.jwks").status());

    CheckResult equal = line(gcp(provider(ISSUER, jwks("new"))), "gcp.jwks");
    assertEquals("the uploaded JWKS equals the served one (kids [new])", equal.message());
    CheckResult otherKey = line(gcp(provider(ISSUER, jwks("new").replace("AQAB\",\"e", "AQAC\",\"e"))), "gcp.jwks");
    assertEquals(Status.FAIL, otherKey.status(), "same kid, other key material");
    assertTrue(otherKey.message().contains("has other key material than the issuer for [new]"), otherKey.message());

    CheckResult managed = line(gcp(provider(ISSUER, jwks("old")).put("description", "x [kubeassume-revision=7]")),
        "gcp.jwks");
    assertEquals(Status.FAIL, managed.status());
    assertTrue(managed.message().contains("(uploaded by kubeassume serve, revision 7)"), managed.message());
    assertTrue(managed.fix().startsWith("kubeassume serve --mirror gcp-wif://projects/my-project/locations/global/"
        + "workloadIdentityPools/k8s-pool/providers/cluster-a keeps it in step: check that mirror on its /readyz"),
        managed.fix());
  }

  @Test
  void gcpUploadOfEightOfMoreServedKeysIsAWarningNamingTheLeftOutKids() {
    List<Map<String, Object>> served = new java.util.ArrayList<>();
    String[] kids = new String[8];
    for (int i = 0; i < 10; i++) {
      served.add(Map.of("kty", "RSA", "kid", "k" + i, "n", "AQAB", "e", "AQAB"));
      if (i >= 2) {
        kids[i - 2] = "k" + i;
      }
    }
    IssuerFacts ten = new IssuerFacts(ISSUER, ISSUER + "/openid/v1/jwks", served, PRINT);
    CheckResult r = line(GcpTrust.evaluate(GCP, Optional.of(pool()), Optional.of(provider(ISSUER, jwks(kids))), ten),
        "gcp.jwks");
    assertEquals(Status.WARN, r.status());
    assertTrue(r.message().startsWith("the issuer serves 10 keys and GCP holds at most 8: the upload has 8 of them and "
        + "leaves out [k0, k1]"), r.message());
    CheckResult seven = line(GcpTrust.evaluate(GCP, Optional.of(pool()),
        Optional.of(provider(ISSUER, jwks(java.util.Arrays.copyOf(kids, 7)))), ten), "gcp.jwks");
    assertEquals(Status.FAIL, seven.status(), "room for an eighth key, yet one is missing: stale");
  }

  @Test
  void azureIdentityCredentialsAndLimit() {
    assertEquals(Map.of("azure.identity", Status.FAIL), statuses(AzureTrust.evaluate(AZURE, Optional.empty(), List.of(),
        FACTS)));
    JsonObject identity = new JsonObject().put("properties", new JsonObject().put("clientId", "cid"));
    List<AzureCredential> creds = new ArrayList<>(List.of(
        new AzureCredential("a", ISSUER, "system:serviceaccount:backend:app", List.of("api://AzureADTokenExchange")),
        new AzureCredential("b", "https://other.example.com", "system:serviceaccount:x:y", List.of("x"))));
    List<CheckResult> r = AzureTrust.evaluate(AZURE, Optional.of(identity), creds, FACTS);
    assertEquals(List.of("azure.identity PASS", "azure.credential PASS", "azure.limit PASS"),
        r.stream().map(c -> c.name() + " " + c.status()).toList());
    assertTrue(line(r, "azure.identity").message().contains("clientId cid"));
    assertTrue(line(r, "azure.credential").message().contains("a trusts system:serviceaccount:backend:app"));
    assertEquals("2 of 20 federated credentials in use", line(r, "azure.limit").message());

    List<AzureCredential> slashOnly = List.of(new AzureCredential("s", ISSUER + "/", "sub", List.of("aud")));
    CheckResult miss = line(AzureTrust.evaluate(AZURE, Optional.of(identity), slashOnly, FACTS), "azure.credential");
    assertEquals(Status.FAIL, miss.status());
    assertTrue(miss.message().contains("trailing slash"), miss.message());

    for (int i = 0; i < 18; i++) {
      creds.add(new AzureCredential("c" + i, ISSUER, "system:serviceaccount:ns:sa" + i, List.of("aud")));
    }
    assertEquals(Status.WARN, line(AzureTrust.evaluate(AZURE, Optional.of(identity), creds, FACTS), "azure.limit")
        .status());
  }

  @Test
  void ociTrustActiveInactiveAndKeys() {
    String domain = "https://idcs-abc.identity.oraclecloud.com";
    assertEquals(Map.of("oci.trust", Status.FAIL), statuses(OciTrust.evaluate(domain, List.of(), FACTS)));
    JsonObject active = new JsonObject().put("name", "t").put("type", "JWT").put("issuer", ISSUER).put("active", true)
        .put("publicKeyEndpoint", ISSUER + "/openid/v1/jwks");
    assertEquals(Map.of("oci.trust", Status.PASS, "oci.keys", Status.PASS),
        statuses(OciTrust.evaluate(domain, List.of(active), FACTS)));
    JsonObject inactive = active.copy().put("active", false).put("publicKeyEndpoint", "https://elsewhere/jwks");
    List<CheckResult> r = OciTrust.evaluate(domain, List.of(inactive), FACTS);
    assertEquals(Map.of("oci.trust", Status.FAIL, "oci.keys", Status.WARN), statuses(r));
    assertTrue(line(r, "oci.trust").fix().contains("--name t"), line(r, "oci.trust").fix());
  }
}
