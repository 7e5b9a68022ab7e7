package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oracle.bmc.auth.SimpleAuthenticationDetailsProvider;
import io.kubeassume.setup.oci.FakeIdentityDomain;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code setup oci}: identity domain REST signed by the OCI SDK's request signer, against a recording fake. */
class SetupOciCommandTest {
  static final String ISSUER = "https://oidc.example.com";
  static final String TRUSTS = "/admin/v1/IdentityPropagationTrusts";
  static SimpleAuthenticationDetailsProvider auth;

  FakeIdentityDomain domain;

  @BeforeAll
  static void key() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair k = g.generateKeyPair();
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(k.getPrivate().getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    auth = SimpleAuthenticationDetailsProvider.builder().tenantId("ocid1.tenancy.oc1..test")
        .userId("ocid1.user.oc1..test").fingerprint("11:22:33")
        .privateKeySupplier(() -> new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).build();
  }

  @BeforeEach
  void start() throws Exception {
    domain = new FakeIdentityDomain();
  }

  @AfterEach
  void stop() {
    domain.close();
  }

  private SetupCli.Result run(String... extra) {
    List<String> args = new ArrayList<>(List.of("--domain-url", domain.endpoint().toString(), "--issuer-url", ISSUER,
        "--oauth-client", "client-1", "--service-user", "svc-user-id", "--namespace", "backend",
        "--service-account", "app"));
    args.addAll(List.of(extra));
    return SetupCli.<SetupOciCommand>run(Map.of(), "oci", c -> c.auth = auth, args.toArray(String[]::new));
  }

  @Test
  void createsAnActiveTrustWithTheExactRequests() {
    SetupCli.Result r = run();
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of("GET " + TRUSTS + "?filter=issuer%20eq%20%22https%3A%2F%2Foidc.example.com%22",
        "POST " + TRUSTS), domain.rest().lines());
    assertEquals(new JsonObject("""
        {"schemas":["urn:ietf:params:scim:schemas:oracle:idcs:IdentityPropagationTrust"],
         "name":"kubeassume-oidc.example.com","type":"JWT","issuer":"https://oidc.example.com",
         "publicKeyEndpoint":"https://oidc.example.com/openid/v1/jwks","active":true,
         "subjectClaimName":"sub","subjectMappingAttribute":"userName","subjectType":"User",
         "oauthClients":["client-1"],"allowImpersonation":true,
         "impersonationServiceUsers":[{"value":"svc-user-id","rule":"sub eq system:serviceaccount:backend:app"}]}"""),
        domain.rest().requests().get(1).json());
    assertTrue(r.out().contains("requested_token_type=urn:oci:token-type:oci-upst"), r.out());
  }

  @Test
  void aSecondRunChangesNothingAndAChangedOneIsReplaced() {
    assertEquals(0, run().exit());
    domain.rest().clear();
    SetupCli.Result again = run();
    assertEquals(0, again.exit(), again.err());
    assertEquals(1, domain.rest().requests().size(), domain.rest().lines().toString());
    assertTrue(again.out().contains("is up to date"), again.out());

    domain.trusts.get("trust-1").put("active", false);
    domain.rest().clear();
    SetupCli.Result fixed = run();
    assertEquals(0, fixed.exit(), fixed.err());
    assertEquals("PUT " + TRUSTS + "/trust-1", domain.rest().lines().get(1));
    assertEquals(true, domain.trusts.get("trust-1").getBoolean("active"));
  }

  @Test
  void dryRunSendsNoRequest() {
    SetupCli.Result r = run("--dry-run");
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of(), domain.rest().requests());
    assertTrue(r.out().contains("would call: POST " + domain.endpoint() + TRUSTS + " {"), r.out());
  }

  @Test
  void serviceUserNeedsTheServiceAccount() {
    SetupCli.Result r = SetupCli.<SetupOciCommand>run(Map.of(), "oci", c -> c.auth = auth,
        "--domain-url", domain.endpoint().toString(), "--issuer-url", ISSUER, "--service-user", "u");
    assertEquals(2, r.exit());
    assertTrue(r.err().startsWith("kubeassume setup oci: --namespace: is required with --service-user"), r.err());
  }
}
