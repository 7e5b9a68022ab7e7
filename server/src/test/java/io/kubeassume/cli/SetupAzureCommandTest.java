package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.ClientAuthenticationException;
import io.kubeassume.setup.azure.FakeArm;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** {@code setup azure}: ARM REST through the JDK HttpClient with an azure-identity TokenCredential, against a fake ARM. */
class SetupAzureCommandTest {
  static final String ISSUER = "https://oidc.example.com";
  static final String BASE = FakeArm.IDENTITY + "/federatedIdentityCredentials";
  static final TokenCredential TOKEN = ctx -> Mono.just(new AccessToken("test-arm-token", OffsetDateTime.now().plusHours(1)));

  FakeArm arm;

  @BeforeEach
  void start() throws Exception {
    arm = new FakeArm();
  }

  @AfterEach
  void stop() {
    arm.close();
  }

  private SetupCli.Result run(TokenCredential credential, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("--arm-endpoint", arm.endpoint().toString(),
        "--issuer-url", ISSUER, "--subscription", "sub-1", "--resource-group", "rg", "--identity", "app-identity",
        "--namespace", "backend", "--service-account", "app"));
    args.addAll(List.of(extra));
    return SetupCli.<SetupAzureCommand>run(Map.of(), "azure", c -> c.credential = credential, args.toArray(String[]::new));
  }

  @Test
  void createsTheFederatedCredentialWithTheExactRequests() {
    SetupCli.Result r = run(TOKEN);
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of("GET " + BASE + "?api-version=2023-01-31",
        "PUT " + BASE + "/kubeassume-backend-app?api-version=2023-01-31"), arm.rest().lines());
    assertEquals(new JsonObject("""
        {"properties":{"issuer":"https://oidc.example.com","subject":"system:serviceaccount:backend:app",
         "audiences":["api://AzureADTokenExchange"]}}"""), arm.rest().requests().get(1).json());
    assertTrue(r.out().contains("federated credential: kubeassume-backend-app on " + FakeArm.IDENTITY), r.out());
    assertTrue(r.out().contains("AZURE_FEDERATED_TOKEN_FILE="), r.out());
  }

  @Test
  void aSecondRunChangesNothing() {
    assertEquals(0, run(TOKEN).exit());
    arm.rest().clear();
    SetupCli.Result again = run(TOKEN);
    assertEquals(0, again.exit(), again.err());
    assertEquals(List.of("GET " + BASE + "?api-version=2023-01-31"), arm.rest().lines());
    assertTrue(again.out().contains("is up to date"), again.out());
  }

  @Test
  void anExistingCredentialForThePairIsUpdatedUnderItsOwnName() {
    arm.put("made-by-hand", ISSUER, "system:serviceaccount:backend:app");
    arm.credentials.get("made-by-hand").getJsonObject("properties")
        .put("audiences", new io.vertx.core.json.JsonArray(List.of("api://other")));
    SetupCli.Result r = run(TOKEN);
    assertEquals(0, r.exit(), r.err());
    assertEquals("PUT " + BASE + "/made-by-hand?api-version=2023-01-31", arm.rest().lines().get(1));
    assertEquals(1, arm.credentials.size());
  }

  @Test
  void dryRunSendsNoRequest() {
    SetupCli.Result r = run(TOKEN, "--dry-run");
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of(), arm.rest().requests());
    assertTrue(r.out().contains("would call: PUT " + arm.endpoint() + BASE
        + "/kubeassume-backend-app?api-version=2023-01-31 {\"properties\":{\"issuer\":\"" + ISSUER + "\""), r.out());
  }

  @Test
  void theLimitOfTwentyIsAClearError() {
    for (int i = 0; i < 20; i++) {
      arm.put("c" + i, ISSUER, "system:serviceaccount:other:sa" + i);
    }
    SetupCli.Result r = run(TOKEN);
    assertEquals(1, r.exit());
    assertTrue(r.err().startsWith("kubeassume setup azure: identity app-identity already has 20 federated "
        + "credentials, Azure's limit is 20"), r.err());
    assertEquals(1, arm.rest().requests().size(), "only the list was read");
  }

  @Test
  void aNameTakenByAnotherSubjectIsNotOverwritten() {
    arm.put("kubeassume-backend-app", "https://elsewhere.example.com", "system:serviceaccount:backend:app");
    SetupCli.Result r = run(TOKEN);
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("choose another --credential-name"), r.err());
  }

  @Test
  void missingPermissionAndMissingCredentialsAreOneLine() {
    arm.deniedMethods.add("PUT");
    SetupCli.Result denied = run(TOKEN);
    assertEquals(1, denied.exit());
    assertEquals(1, denied.err().strip().lines().count(), denied.err());
    assertTrue(denied.err().contains("Azure denied PUT federatedIdentityCredentials/kubeassume-backend-app on identity "
        + "app-identity: the caller needs"), denied.err());

    TokenCredential none = ctx -> Mono.error(new ClientAuthenticationException("DefaultAzureCredential failed to "
        + "retrieve a token from the included credentials.", null));
    SetupCli.Result noCreds = run(none);
    assertEquals(1, noCreds.exit());
    assertTrue(noCreds.err().startsWith("kubeassume setup azure: no usable Azure credentials"), noCreds.err());
  }

  @Test
  void aMissingIdentityIsNamed() {
    SetupCli.Result r = SetupCli.<SetupAzureCommand>run(Map.of(), "azure", c -> c.credential = TOKEN,
        "--arm-endpoint", arm.endpoint().toString(), "--issuer-url", ISSUER, "--subscription", "sub-1",
        "--resource-group", "rg", "--identity", "nope", "--namespace", "backend", "--service-account", "app");
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("user-assigned identity nope was not found"), r.err());
  }

  @Test
  void requiredFlagsAreNamed() {
    SetupCli.Result r = SetupCli.<SetupAzureCommand>run(Map.of(), "azure", c -> c.credential = TOKEN,
        "--issuer-url", ISSUER, "--subscription", "sub-1", "--resource-group", "rg", "--namespace", "backend",
        "--service-account", "app");
    assertEquals(2, r.exit());
    assertTrue(r.err().startsWith("kubeassume setup azure: --identity: is required"), r.err());
  }
}
