package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Endpoint and URL flags of setup and status: only http(s) URLs with a host are accepted, and a wrong one is one
 * line naming the flag (exit 2), not a stack trace from the HTTP client or a dry run that prints unusable calls.
 */
class EndpointFlagsTest {
  private static final String ISSUER = "https://oidc.example.com";

  private static void assertUsageError(SetupCli.Result r, String flag) {
    assertEquals(2, r.exit(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("kubeassume setup ") && r.err().contains(flag + ": "), r.err());
  }

  @Test
  void setupGcpRefusesAnIamEndpointThatIsNotHttp() {
    assertUsageError(SetupCli.run(Map.of(), "gcp", c -> {}, "--dry-run", "--issuer-url", ISSUER,
        "--project", "my-project", "--pool-id", "k8s-pool", "--provider-id", "cluster-a",
        "--iam-endpoint", "ftp://iam.example.com"), "--iam-endpoint");
  }

  @Test
  void setupAzureRefusesAnArmEndpointThatIsNotHttp() {
    assertUsageError(SetupCli.run(Map.of(), "azure", c -> {}, "--dry-run", "--issuer-url", ISSUER,
        "--subscription", "00000000-0000-0000-0000-000000000000", "--resource-group", "rg", "--identity", "id",
        "--namespace", "backend", "--service-account", "app", "--arm-endpoint", "file:///etc/passwd"),
        "--arm-endpoint");
  }

  @Test
  void setupOciRefusesADomainOrJwksUrlThatIsNotHttp() {
    assertUsageError(SetupCli.run(Map.of(), "oci", c -> {}, "--dry-run", "--issuer-url", ISSUER,
        "--domain-url", "ldap://idcs-abc.identity.oraclecloud.com"), "--domain-url");
    assertUsageError(SetupCli.run(Map.of(), "oci", c -> {}, "--dry-run", "--issuer-url", ISSUER,
        "--domain-url", "https://idcs-abc.identity.oraclecloud.com", "--jwks-url", "ftp://oidc.example.com/jwks"),
        "--jwks-url");
  }

  @Test
  void setupAwsRefusesAnIamEndpointThatIsNotHttp() {
    assertUsageError(SetupCli.run(Map.of(), "aws", c -> {}, "--dry-run", "--issuer-url", ISSUER,
        "--thumbprint", "9e99a48a9960b14926bb7f3b02e22da2b0ab7280", "--iam-endpoint", "ftp://iam.example.com"),
        "--iam-endpoint");
  }

  @Test
  void setupGcpDropsATrailingSlashOfTheEndpoint() {
    SetupCli.Result r = SetupCli.run(Map.of(), "gcp", c -> {}, "--dry-run", "--issuer-url", ISSUER,
        "--project", "my-project", "--pool-id", "k8s-pool", "--provider-id", "cluster-a",
        "--iam-endpoint", "https://iam.example.com/");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("GET https://iam.example.com/v1/projects/my-project/"), r.out());
  }

  @Test
  void statusRefusesAnEndpointThatIsNotHttp() {
    CommandLine cmd = KubeassumeCommand.commandLine(Map.of());
    StatusCommand c = (StatusCommand) cmd.getSubcommands().get("status").getCommand();
    c.gcpCredentials = GoogleCredentials.create(new AccessToken("t", new Date(System.currentTimeMillis() + 3_600_000)));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int exit = cmd.execute("status", "--issuer-url", "http://127.0.0.1:1", "--gcp", "--project", "my-project",
        "--pool-id", "k8s-pool", "--provider-id", "cluster-a", "--gcp-iam-endpoint", "ftp://iam.example.com");
    assertEquals(2, exit, out + err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
    assertTrue(err.toString().startsWith("kubeassume status: --gcp-iam-endpoint: "), err.toString());
  }

  @Test
  void setupAwsRefusesARegionThatIsNotARegionName() {
    assertUsageError(SetupCli.run(Map.of(), "aws", c -> {}, "--dry-run", "--issuer-url", ISSUER,
        "--thumbprint", "0123456789abcdef0123456789abcdef01234567", "--region", " "), "--region");
    assertUsageError(SetupCli.run(Map.of(), "aws", c -> {}, "--dry-run", "--issuer-url", ISSUER,
        "--thumbprint", "0123456789abcdef0123456789abcdef01234567", "--region", "EU_WEST"), "--region");
  }
}
