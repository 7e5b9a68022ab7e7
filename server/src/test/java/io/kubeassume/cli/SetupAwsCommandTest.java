package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.setup.aws.FakeIam;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** {@code setup aws} with the real AWS SDK against a local fake of the IAM API that records requests. */
class SetupAwsCommandTest {
  static final String ISSUER = "https://oidc.example.com/clusters/a";
  static final String PRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";
  static final String OLD_PRINT = "0000000000000000000000000000000000000001";
  static final String ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.example.com/clusters/a";

  FakeIam iam;

  @BeforeEach
  void start() throws Exception {
    iam = new FakeIam();
  }

  @AfterEach
  void stop() {
    iam.close();
  }

  private SetupCli.Result run(String... args) {
    return run(Map.of(), args);
  }

  private SetupCli.Result run(Map<String, String> env, String... args) {
    String[] full = new String[args.length + 2];
    full[0] = "--iam-endpoint";
    full[1] = iam.endpoint().toString();
    System.arraycopy(args, 0, full, 2, args.length);
    return SetupCli.<SetupAwsCommand>run(env, "aws", c -> c.credentials =
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret")), full);
  }

  private SetupCli.Result full() {
    return run("--issuer-url", ISSUER, "--thumbprint", PRINT, "--role-name", "app-role",
        "--namespace", "backend", "--service-account", "app");
  }

  private static JsonObject wantedPolicy() {
    return new JsonObject("""
        {"Version":"2012-10-17","Statement":[{"Effect":"Allow",
         "Principal":{"Federated":"%s"},
         "Action":"sts:AssumeRoleWithWebIdentity",
         "Condition":{"StringEquals":{
           "oidc.example.com/clusters/a:sub":"system:serviceaccount:backend:app",
           "oidc.example.com/clusters/a:aud":"sts.amazonaws.com"}}}]}""".formatted(ARN));
  }

  @Test
  void createsTheProviderAndRoleWithTheExactRequests() {
    SetupCli.Result r = full();
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of("ListOpenIDConnectProviders", "CreateOpenIDConnectProvider", "GetRole", "CreateRole"),
        iam.actions());
    FakeIam.Request create = iam.requests().get(1);
    assertEquals(ISSUER, create.params().get("Url"));
    assertEquals("sts.amazonaws.com", create.params().get("ClientIDList.member.1"));
    assertFalse(create.params().containsKey("ClientIDList.member.2"));
    assertEquals(PRINT, create.params().get("ThumbprintList.member.1"));
    assertTrue(create.authorization().startsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/"), create.authorization());

    FakeIam.Request role = iam.requests().get(3);
    assertEquals("app-role", role.params().get("RoleName"));
    assertEquals(wantedPolicy(), new JsonObject(role.params().get("AssumeRolePolicyDocument")));

    assertTrue(r.out().contains("provider ARN: " + ARN), r.out());
    assertTrue(r.out().contains("role ARN: arn:aws:iam::123456789012:role/app-role"), r.out());
    assertTrue(r.out().contains("AWS_ROLE_ARN=arn:aws:iam::123456789012:role/app-role"), r.out());
    assertTrue(r.out().contains("call: iam:CreateOpenIDConnectProvider {\"Url\":\"" + ISSUER + "\""), r.out());
  }

  @Test
  void aSecondRunChangesNothing() {
    assertEquals(0, full().exit());
    iam.clearRequests();
    SetupCli.Result again = full();
    assertEquals(0, again.exit(), again.err());
    assertEquals(List.of("ListOpenIDConnectProviders", "GetOpenIDConnectProvider", "GetRole"), iam.actions());
    assertTrue(again.out().contains("provider is up to date"), again.out());
    assertTrue(again.out().contains("role app-role already trusts this service account"), again.out());
    assertTrue(again.out().contains("provider ARN: " + ARN), again.out());
  }

  @Test
  void anExistingProviderGetsOnlyTheMissingAudienceAndThumbprint() {
    iam.putProvider(ISSUER, List.of("other-client"), List.of(OLD_PRINT));
    SetupCli.Result r = run("--issuer-url", ISSUER, "--thumbprint", PRINT);
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of("ListOpenIDConnectProviders", "GetOpenIDConnectProvider",
        "AddClientIDToOpenIDConnectProvider", "UpdateOpenIDConnectProviderThumbprint"), iam.actions());
    assertEquals(ARN, iam.requests().get(2).params().get("OpenIDConnectProviderArn"));
    assertEquals("sts.amazonaws.com", iam.requests().get(2).params().get("ClientID"));
    FakeIam.Provider p = iam.providers.get(ARN);
    assertEquals(List.of("other-client", "sts.amazonaws.com"), p.clientIds());
    assertEquals(List.of(OLD_PRINT, PRINT), p.thumbprints(), "the old thumbprint is kept");
    assertTrue(r.out().contains("add --namespace and --service-account"), r.out());
  }

  @Test
  void aRoleWithAnotherTrustPolicyIsUpdated() {
    iam.roles.put("app-role", "{\"Version\":\"2012-10-17\",\"Statement\":[]}");
    SetupCli.Result r = full();
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of("ListOpenIDConnectProviders", "CreateOpenIDConnectProvider", "GetRole",
        "UpdateAssumeRolePolicy"), iam.actions());
    assertEquals(wantedPolicy(), new JsonObject(iam.roles.get("app-role")));
  }

  @Test
  void dryRunSendsNoRequestAndPrintsThePlan() {
    SetupCli.Result r = run("--dry-run", "--issuer-url", ISSUER, "--thumbprint", PRINT, "--role-name", "app-role",
        "--namespace", "backend", "--service-account", "app");
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of(), iam.requests());
    assertTrue(r.out().contains("would call: iam:ListOpenIDConnectProviders"), r.out());
    assertTrue(r.out().contains("would call: iam:CreateOpenIDConnectProvider {\"Url\":\"" + ISSUER
        + "\",\"ClientIDList\":[\"sts.amazonaws.com\"],\"ThumbprintList\":[\"" + PRINT + "\"]}"), r.out());
    assertTrue(r.out().contains("would call: iam:CreateRole {\"RoleName\":\"app-role\""), r.out());
    assertTrue(r.out().contains("system:serviceaccount:backend:app"), r.out());
  }

  @Test
  void dryRunFromTheEnvironmentToo() {
    SetupCli.Result r = run(Map.of("KUBEASSUME_DRY_RUN", "true", "KUBEASSUME_ISSUER_URL", ISSUER,
        "KUBEASSUME_THUMBPRINT", PRINT));
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of(), iam.requests());
    assertTrue(r.out().contains("would call: iam:CreateOpenIDConnectProvider"), r.out());
  }

  @Test
  void aMissingPermissionIsOneLineNamingIt() {
    iam.denied.add("CreateOpenIDConnectProvider");
    SetupCli.Result r = run("--issuer-url", ISSUER, "--thumbprint", PRINT);
    assertEquals(1, r.exit());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("kubeassume setup aws: AWS denied iam:CreateOpenIDConnectProvider: the caller lacks "
        + "the permission iam:CreateOpenIDConnectProvider"), r.err());
  }

  @Test
  void wrongFlagsStopWithOneLineNamingTheFlag() {
    SetupCli.Result noSubject = run("--issuer-url", ISSUER, "--thumbprint", PRINT, "--role-name", "r");
    assertEquals(2, noSubject.exit());
    assertTrue(noSubject.err().startsWith("kubeassume setup aws: --namespace: is required with --role-name"),
        noSubject.err());

    SetupCli.Result port = run("--issuer-url", "https://oidc.example.com:8443", "--thumbprint", PRINT);
    assertEquals(2, port.exit());
    assertTrue(port.err().contains("--issuer-url: 'https://oidc.example.com:8443' has a port"), port.err());

    SetupCli.Result print = run("--issuer-url", ISSUER, "--thumbprint", "abc");
    assertEquals(2, print.exit());
    assertTrue(print.err().contains("--thumbprint: 'abc' is not a SHA-1 thumbprint"), print.err());

    SetupCli.Result env = run(Map.of("KUBEASSUME_ISSUER_URL", "http://oidc.example.com"), "--thumbprint", PRINT);
    assertEquals(2, env.exit());
    assertTrue(env.err().contains("--issuer-url (from KUBEASSUME_ISSUER_URL)"), env.err());
    assertEquals(List.of(), iam.requests());
  }
}
