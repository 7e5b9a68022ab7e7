package io.kubeassume.server;

import static io.kubeassume.server.TestServer.await;
import static io.kubeassume.server.TestServer.io;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.kubeassume.config.ClusterSettings;
import io.kubeassume.config.FleetSettings;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.fleet.kubernetes.OidcIssuers;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * serve --issuers kubernetes: OIDCIssuer objects on the fabric8 mock API server in CRUD mode, with the
 * CRD the chart installs, Secrets beside them, and two replicas electing a leader.
 */
class KubernetesFleetTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private MockCluster cluster;
  private RSAKey prod1;
  private String kidProd1;

  @BeforeEach
  void cluster() throws Exception {
    cluster = new MockCluster(dir);
    try (InputStream crd = Files.newInputStream(TestServer.repoFile("deploy/crds/oidcissuers.kubeassume.io.yaml"))) {
      cluster.client.apiextensions().v1().customResourceDefinitions()
          .resource(cluster.client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class)).create();
    }
    for (String ns : List.of("team-a", "team-b")) {
      cluster.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    }
    prod1 = Keys.rsa();
    kidProd1 = Keys.kidOf(prod1);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  private ServeConfig.Builder replica(String identity, List<String> prefixes) throws Exception {
    return ServeConfig.fleetBuilder(FleetSettings.kubernetes(prefixes, List.of()))
        .bind("127.0.0.1").port(0).managementPort(0).instances(1)
        .overlap(Duration.ofHours(1)).pollInterval(Duration.ofSeconds(1))
        .kubeconfig(cluster.kubeconfig(identity))
        .cluster(new ClusterSettings(MockCluster.NAMESPACE, "unused", "kubeassume-fleet", identity,
            Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofMillis(500)));
  }

  private void secret(String ns, String name, Map<String, String> items) {
    cluster.client.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName(name).endMetadata()
        .withStringData(items).build()).createOr(r -> r.update());
  }

  private void issuer(String ns, String name, String url, String secret, String... items) {
    GenericKubernetesResource r = new GenericKubernetesResourceBuilder()
        .withApiVersion(OidcIssuers.GROUP + "/" + OidcIssuers.VERSION).withKind(OidcIssuers.KIND)
        .withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .addToAdditionalProperties("spec", Map.of("issuerURL", url,
            "source", Map.of("secret", Map.of("name", secret, "items", List.of(items)))))
        .build();
    cluster.client.genericKubernetesResources(OidcIssuers.CONTEXT).inNamespace(ns).resource(r).create();
  }

  private GenericKubernetesResource object(String ns, String name) {
    return cluster.client.genericKubernetesResources(OidcIssuers.CONTEXT).inNamespace(ns).withName(name).get();
  }

  @SuppressWarnings("unchecked")
  private String condition(String ns, String name, String type) {
    GenericKubernetesResource r = object(ns, name);
    Object status = r == null ? null : r.getAdditionalProperties().get("status");
    if (!(status instanceof Map<?, ?> s) || !(s.get("conditions") instanceof List<?> conditions)) {
      return "none";
    }
    for (Object c : conditions) {
      Map<String, Object> m = (Map<String, Object>) c;
      if (type.equals(m.get("type"))) {
        return m.get("status") + "/" + m.get("reason") + ": " + m.get("message");
      }
    }
    return "none";
  }

  @Test
  void everyReplicaServesEveryIssuerFromTheObjectsAndFollowsARotation() throws Exception {
    secret("team-a", "prod-keys", Map.of("sa.pub", Keys.pem(prod1.toPublicKey()),
        "sa.key", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"));
    RSAKey dev1 = Keys.rsa();
    secret("team-b", "dev-keys", Map.of("service-account.pub", Keys.pem(dev1.toPublicKey())));
    issuer("team-a", "prod", "http://localhost/clusters/prod", "prod-keys", "sa.pub");
    issuer("team-b", "dev", "http://localhost/clusters/dev", "dev-keys", "service-account.pub");
    try (TestServer one = TestServer.start(replica("replica-1", List.of()).build());
        TestServer two = TestServer.start(replica("replica-2", List.of()).build())) {
      for (TestServer t : List.of(one, two)) {
        await(WITHIN, "both issuers served by every replica", io(() -> t.jwks("/clusters/prod").contains(kidProd1)
            && t.jwks("/clusters/dev").contains(Keys.kidOf(dev1))));
      }
      await(WITHIN, "the status says Ready", () -> condition("team-a", "prod", "Ready").startsWith("True/Serving"));
      assertTrue(condition("team-a", "prod", "SourceReachable").startsWith("True"));
      @SuppressWarnings("unchecked")
      Map<String, Object> status = (Map<String, Object>) object("team-a", "prod").getAdditionalProperties().get("status");
      assertEquals(List.of(kidProd1), status.get("keys"));
      assertEquals(1, ((Number) status.get("keyCount")).intValue());

      // A rotation of the Secret: the new key is served by both replicas, the old one stays for the overlap.
      RSAKey prod2 = Keys.rsa();
      secret("team-a", "prod-keys", Map.of("sa.pub", Keys.pem(prod2.toPublicKey())));
      for (TestServer t : List.of(one, two)) {
        await(WITHIN, "the rotation served everywhere", io(() -> {
          String jwks = t.jwks("/clusters/prod");
          return jwks.contains(Keys.kidOf(prod2)) && jwks.contains(kidProd1);
        }));
      }
      String devBytes = one.jwks("/clusters/dev");
      assertEquals(devBytes, two.jwks("/clusters/dev"), "every replica serves the same bytes");

      // Deleting an object stops serving it, on every replica.
      cluster.client.genericKubernetesResources(OidcIssuers.CONTEXT).inNamespace("team-b").withName("dev").delete();
      for (TestServer t : List.of(one, two)) {
        await(WITHIN, "a deleted issuer is no longer served", io(() ->
            t.get(t.publicUri("/clusters/dev/openid/v1/jwks")).statusCode() == 404));
      }
      assertTrue(one.metrics().contains("kubeassume_active_keys{issuer=\"team-a/prod\"} 2.0"));
      assertTrue(one.metrics().contains("kubeassume_fleet_watch_failures_total{kind=\"secrets\"} 0.0"), "exported, and nothing failed");
      assertFalse(one.metrics().contains("team-b/dev"), "a deleted issuer's series are gone");
    }
  }

  @Test
  void aConflictingClaimAndARefusedUrlGetConditionsAndNeverServe() throws Exception {
    secret("team-a", "prod-keys", Map.of("sa.pub", Keys.pem(prod1.toPublicKey())));
    RSAKey other = Keys.rsa();
    secret("team-b", "keys", Map.of("sa.pub", Keys.pem(other.toPublicKey())));
    issuer("team-a", "prod", "http://localhost/clusters/prod", "prod-keys", "sa.pub");
    Thread.sleep(1100); // creationTimestamp has second precision: the copy must be younger
    issuer("team-b", "copy", "http://localhost/clusters/prod/", "keys", "sa.pub");
    issuer("team-b", "outside", "http://localhost/other/x", "keys", "sa.pub");
    try (TestServer one = TestServer.start(replica("replica-1", List.of("http://localhost/clusters/")).build())) {
      await(WITHIN, "the older claim served", io(() -> one.jwks("/clusters/prod").contains(kidProd1)));
      await(WITHIN, "the copy is in conflict", () -> condition("team-b", "copy", "Ready").startsWith("False/IssuerConflict"));
      assertTrue(condition("team-b", "copy", "Ready").contains("team-a/prod"), condition("team-b", "copy", "Ready"));
      await(WITHIN, "the outsider is refused", () -> condition("team-b", "outside", "Ready").startsWith("False/IssuerURLNotAllowed"));
      assertFalse(one.jwks("/clusters/prod").contains(Keys.kidOf(other)), "the copy never serves its keys");
      assertEquals(404, one.get(one.publicUri("/other/x/openid/v1/jwks")).statusCode());
      var counts = new io.vertx.core.json.JsonObject(one.get(one.managementUri("/readyz")).body()).getJsonObject("issuers");
      assertEquals(1, counts.getInteger("ready"));
      assertEquals(1, counts.getInteger("conflict"));
      assertEquals(1, counts.getInteger("refused"));
    }
  }

  @Test
  void aPrivateKeyInANamedItemIsRefusedAndTheOtherIssuersServe() throws Exception {
    secret("team-a", "prod-keys", Map.of("sa.pub", Keys.pem(prod1.toPublicKey())));
    secret("team-b", "leaky", Map.of("sa.key", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"));
    issuer("team-a", "prod", "http://localhost/clusters/prod", "prod-keys", "sa.pub");
    issuer("team-b", "leaky", "http://localhost/clusters/leaky", "leaky", "sa.key");
    try (TestServer one = TestServer.start(replica("replica-1", List.of()).build())) {
      await(WITHIN, "prod served", io(() -> one.jwks("/clusters/prod").contains(kidProd1)));
      await(WITHIN, "the private key is refused in the status", () ->
          condition("team-b", "leaky", "SourceReachable").startsWith("False/SourceError")
              && condition("team-b", "leaky", "SourceReachable").contains("private key"));
      assertTrue(condition("team-b", "leaky", "Ready").startsWith("False/NoValidKeys"));
      assertEquals(503, one.get(one.publicUri("/clusters/leaky/openid/v1/jwks")).statusCode(), "routed, nothing to serve");
    }
  }

  @Test
  void aNewLeaderKeepsEveryIssuersRetiredKeys() throws Exception {
    secret("team-a", "prod-keys", Map.of("sa.pub", Keys.pem(prod1.toPublicKey())));
    issuer("team-a", "prod", "http://localhost/clusters/prod", "prod-keys", "sa.pub");
    RSAKey dev1 = Keys.rsa();
    secret("team-b", "dev-keys", Map.of("sa.pub", Keys.pem(dev1.toPublicKey())));
    issuer("team-b", "dev", "http://localhost/clusters/dev", "dev-keys", "sa.pub");
    TestServer first = TestServer.start(replica("replica-1", List.of()).build());
    TestServer second = TestServer.start(replica("replica-2", List.of()).build());
    List<TestServer> open = new java.util.ArrayList<>(List.of(first, second));
    try {
      await(WITHIN, "first served", io(() -> second.jwks("/clusters/prod").contains(kidProd1)
          && second.jwks("/clusters/dev").contains(Keys.kidOf(dev1))));
      RSAKey prod2 = Keys.rsa();
      RSAKey dev2 = Keys.rsa();
      secret("team-a", "prod-keys", Map.of("sa.pub", Keys.pem(prod2.toPublicKey())));
      secret("team-b", "dev-keys", Map.of("sa.pub", Keys.pem(dev2.toPublicKey())));
      await(WITHIN, "both rotations served", io(() -> second.jwks("/clusters/prod").contains(Keys.kidOf(prod2))
          && second.jwks("/clusters/dev").contains(Keys.kidOf(dev2))));
      String holder = cluster.client.leases().inNamespace(MockCluster.NAMESPACE).withName("kubeassume-fleet").get()
          .getSpec().getHolderIdentity();
      TestServer leader = holder.equals("replica-1") ? first : second;
      TestServer survivor = leader == first ? second : first;
      open.remove(leader);
      leader.close();
      // The survivor leads now; a third key proves it syncs, and the retired keys survived the hand-over.
      RSAKey prod3 = Keys.rsa();
      secret("team-a", "prod-keys", Map.of("sa.pub", Keys.pem(prod3.toPublicKey())));
      await(WITHIN, "the new leader syncs and keeps the retired keys", io(() -> {
        String jwks = survivor.jwks("/clusters/prod");
        return jwks.contains(Keys.kidOf(prod3)) && jwks.contains(Keys.kidOf(prod2)) && jwks.contains(kidProd1);
      }));
      assertTrue(survivor.jwks("/clusters/dev").contains(Keys.kidOf(dev1)), "dev's retired key too");
    } finally {
      for (TestServer t : open) {
        t.close();
      }
    }
  }

  @Test
  void aRemoteApiServerIsReadThroughItsKubeconfigAndItsOutageDisturbsNoOtherIssuer() throws Exception {
    Files.createDirectories(dir.resolve("remote"));
    try (MockCluster remote = new MockCluster(dir.resolve("remote"))) {
      RSAKey r1 = Keys.rsa();
      remote.serves("http://localhost/clusters/remote", r1);
      secret("team-a", "remote-kubeconfig", Map.of("kubeconfig", Files.readString(remote.kubeconfig("remote-reader"))));
      cluster.client.genericKubernetesResources(OidcIssuers.CONTEXT).inNamespace("team-a").resource(
          new GenericKubernetesResourceBuilder().withApiVersion(OidcIssuers.GROUP + "/" + OidcIssuers.VERSION)
              .withKind(OidcIssuers.KIND).withNewMetadata().withNamespace("team-a").withName("remote").endMetadata()
              .addToAdditionalProperties("spec", Map.of("issuerURL", "http://localhost/clusters/remote",
                  "source", Map.of("apiServer", Map.of("kubeconfigSecret", Map.of("name", "remote-kubeconfig")))))
              .build()).create();
      secret("team-a", "prod-keys", Map.of("sa.pub", Keys.pem(prod1.toPublicKey())));
      issuer("team-a", "prod", "http://localhost/clusters/prod", "prod-keys", "sa.pub");
      try (TestServer one = TestServer.start(replica("replica-1", List.of()).build())) {
        await(WITHIN, "the remote cluster's key served", io(() -> one.jwks("/clusters/remote").contains(Keys.kidOf(r1))));
        await(WITHIN, "its issuer checked", () -> condition("team-a", "remote", "IssuerMatches").startsWith("True/Matches"));

        remote.oidcFails(503);
        await(WITHIN, "the outage in the status", () -> condition("team-a", "remote", "SourceReachable").startsWith("False"));
        assertTrue(one.jwks("/clusters/remote").contains(Keys.kidOf(r1)), "the last good documents stay");
        RSAKey prod2 = Keys.rsa();
        secret("team-a", "prod-keys", Map.of("sa.pub", Keys.pem(prod2.toPublicKey())));
        await(WITHIN, "the other issuer still follows its rotation", io(() -> one.jwks("/clusters/prod")
            .contains(Keys.kidOf(prod2))));

        RSAKey r2 = Keys.rsa();
        remote.serves("https://somewhere-else.example.com", r2);
        await(WITHIN, "a mismatch in the status", () -> condition("team-a", "remote", "IssuerMatches")
            .startsWith("False/IssuerMismatch"));
        assertFalse(one.jwks("/clusters/remote").contains(Keys.kidOf(r2)), "nothing from a mismatched issuer is served");
      }
    }
  }

  @Test
  void aHandEditedStateIsRefusedEverywhereAndTheLeaderRepairsIt() throws Exception {
    secret("team-a", "prod-keys", Map.of("sa.pub", Keys.pem(prod1.toPublicKey())));
    issuer("team-a", "prod", "http://localhost/clusters/prod", "prod-keys", "sa.pub");
    try (TestServer one = TestServer.start(replica("replica-1", List.of()).build())) {
      await(WITHIN, "prod served", io(() -> one.jwks("/clusters/prod").contains(kidProd1)));
      await(WITHIN, "its state written", () -> statusField("team-a", "prod", "state") != null);
      String served = one.jwks("/clusters/prod");
      // Someone edits the status by hand: a private key where a public one was.
      GenericKubernetesResource r = object("team-a", "prod");
      @SuppressWarnings("unchecked")
      Map<String, Object> status = new java.util.LinkedHashMap<>((Map<String, Object>) r.getAdditionalProperties().get("status"));
      status.put("state", "{\"format\":\"kubeassume/state/v1\",\"revision\":9,\"keys\":[{\"jwk\":{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}}]}");
      r.getAdditionalProperties().put("status", status);
      cluster.client.genericKubernetesResources(OidcIssuers.CONTEXT).inNamespace("team-a").resource(r).updateStatus();
      await(WITHIN, "the leader rewrites the state", () -> {
        Object state = statusField("team-a", "prod", "state");
        return state != null && !String.valueOf(state).contains("\"oct\"");
      });
      assertEquals(served, one.jwks("/clusters/prod"), "the documents never changed");
      assertTrue(one.metrics().contains("kubeassume_active_keys{issuer=\"team-a/prod\"} 1.0"));
    }
  }

  @SuppressWarnings("unchecked")
  private Object statusField(String ns, String name, String field) {
    GenericKubernetesResource r = object(ns, name);
    Object status = r == null ? null : r.getAdditionalProperties().get("status");
    return status instanceof Map<?, ?> m ? ((Map<String, Object>) m).get(field) : null;
  }
}
