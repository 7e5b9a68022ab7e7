package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.http.HttpResponse;
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
 * {@code --source kubernetes} end to end: a stubbed API server (fabric8's mock, over a real
 * socket, reached through a kubeconfig file), a real kubeassume, and a real HTTP client.
 */
class KubernetesSourceTest {
  static final String ISSUER = "http://127.0.0.1/clusters/k";
  static final String JWKS = "/clusters/k/openid/v1/jwks";
  static final Duration WITHIN = Duration.ofSeconds(10);

  @TempDir
  Path dir;
  KubernetesMockServer apiServer;
  Path kubeconfig;

  @BeforeEach
  void startApiServer() throws Exception {
    apiServer = new KubernetesMockServer(false);
    apiServer.init();
    kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
        users:
        - name: kubeassume
          user:
            token: test-token
        contexts:
        - name: mock
          context:
            cluster: mock
            user: kubeassume
        current-context: mock
        """.formatted(apiServer.url("/").replaceAll("/$", "")));
  }

  @AfterEach
  void stopApiServer() {
    apiServer.destroy();
  }

  /** What the API server serves for its issuer: its discovery document and the keys' JWKS. */
  void apiServerServes(String issuer, RSAKey... keys) throws Exception {
    apiServer.clearExpectations();
    apiServer.expect().get().withPath("/.well-known/openid-configuration")
        .andReturn(200, "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"https://10.0.0.1:6443/openid/v1/jwks\","
            + "\"response_types_supported\":[\"id_token\"],\"subject_types_supported\":[\"public\"],"
            + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}")
        .always();
    apiServer.expect().get().withPath("/openid/v1/jwks").andReturn(200, jwks(keys)).always();
  }

  static String discovery(String issuer) {
    return "{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"https://10.0.0.1:6443/openid/v1/jwks\","
        + "\"response_types_supported\":[\"id_token\"],\"subject_types_supported\":[\"public\"],"
        + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}";
  }

  static String jwks(RSAKey... keys) throws Exception {
    StringBuilder b = new StringBuilder("{\"keys\":[");
    for (int i = 0; i < keys.length; i++) {
      RSAKey pub = new RSAKey.Builder(keys[i].toRSAPublicKey()).keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.RS256).keyID(Keys.kidOf(keys[i])).build();
      b.append(i == 0 ? "" : ",").append(pub.toJSONString());
    }
    return b.append("]}").toString();
  }

  TestServer start(String issuer) throws Exception {
    return TestServer.start(TestServer.kubernetesConfig(issuer, kubeconfig).pollInterval(Duration.ofSeconds(1)).build());
  }

  static List<String> servedKids(TestServer t) throws Exception {
    return JWKSet.parse(t.get(t.publicUri(JWKS)).body()).getKeys().stream().map(k -> k.getKeyID()).toList();
  }

  static Map<String, Object> readySource(HttpResponse<String> ready) throws Exception {
    return JSONObjectUtils.getJSONObject(JSONObjectUtils.parse(ready.body()), "source");
  }

  @Test
  void servesTheApiServersKeysWithTheirKids() throws Exception {
    RSAKey key = Keys.rsa();
    apiServerServes(ISSUER, key);
    try (TestServer t = start(ISSUER)) {
      TestServer.await(WITHIN, "keys served", TestServer.io(() -> t.get(t.publicUri(JWKS)).statusCode() == 200));
      JWKSet served = JWKSet.parse(t.get(t.publicUri(JWKS)).body());
      assertEquals(1, served.getKeys().size());
      RSAKey servedKey = served.getKeys().get(0).toRSAKey();
      assertEquals(Keys.kidOf(key), servedKey.getKeyID(), "kid preserved");
      assertEquals(key.toRSAPublicKey(), servedKey.toRSAPublicKey(), "the served bytes reproduce the API server's key");
      assertEquals("kubernetes", readySource(t.get(t.managementUri("/readyz"))).get("name"));
    }
  }

  @Test
  void aKeyRotatedOnTheApiServerIsServedAfterTheNextPoll() throws Exception {
    RSAKey old = Keys.rsa();
    RSAKey fresh = Keys.rsa();
    apiServerServes(ISSUER, old);
    try (TestServer t = start(ISSUER)) {
      TestServer.await(WITHIN, "first key served", TestServer.io(() -> servedKids(t).equals(List.of(Keys.kidOf(old)))));
      apiServerServes(ISSUER, fresh);
      TestServer.await(WITHIN, "rotated key served", TestServer.io(() -> servedKids(t).contains(Keys.kidOf(fresh))));
      assertTrue(servedKids(t).contains(Keys.kidOf(old)), "the retired key is still served inside the overlap window");
    }
  }

  @Test
  void anApiServerErrorKeepsTheLastGoodDocumentsAndShowsOnReadyz() throws Exception {
    RSAKey key = Keys.rsa();
    apiServerServes(ISSUER, key);
    try (TestServer t = start(ISSUER)) {
      TestServer.await(WITHIN, "keys served", TestServer.io(() -> t.get(t.publicUri(JWKS)).statusCode() == 200));
      String good = t.get(t.publicUri(JWKS)).body();

      apiServer.clearExpectations();
      apiServer.expect().get().withPath("/.well-known/openid-configuration").andReturn(500, "boom").always();
      apiServer.expect().get().withPath("/openid/v1/jwks").andReturn(500, "boom").always();
      TestServer.await(WITHIN, "error on /readyz",
          TestServer.io(() -> readySource(t.get(t.managementUri("/readyz"))).get("lastError") != null));

      HttpResponse<String> ready = t.get(t.managementUri("/readyz"));
      assertEquals(200, ready.statusCode(), "still ready: the last good documents are served");
      String error = (String) JSONObjectUtils.getJSONObject(readySource(ready), "lastError").get("message");
      assertTrue(error.contains("HTTP 500") && error.contains("/.well-known/openid-configuration"), error);
      assertEquals(good, t.get(t.publicUri(JWKS)).body());
    }
  }

  @Test
  void anIssuerMismatchPublishesNothingAndNamesBothIssuers() throws Exception {
    String apiServerIssuer = "https://kubernetes.default.svc.cluster.local";
    apiServerServes(apiServerIssuer, Keys.rsa());
    try (TestServer t = start(ISSUER)) {
      TestServer.await(WITHIN, "error on /readyz",
          TestServer.io(() -> t.get(t.managementUri("/readyz")).body().contains(apiServerIssuer)));
      HttpResponse<String> ready = t.get(t.managementUri("/readyz"));
      assertEquals(503, ready.statusCode(), ready.body());
      assertTrue(ready.body().contains(ISSUER) && ready.body().contains(apiServerIssuer), ready.body());
      String error = (String) JSONObjectUtils.getJSONObject(readySource(ready), "lastError").get("message");
      assertTrue(error.contains(ISSUER) && error.contains(apiServerIssuer) && error.contains("--service-account-issuer"), error);
      assertEquals(503, t.get(t.publicUri(JWKS)).statusCode(), "nothing published");
    }
  }

  /**
   * A rolling restart of API servers behind a load balancer: the first sync reads the right issuer
   * around key a; the second reads the right issuer, then keys a and b, then another issuer (an API
   * server with another --service-account-issuer answered in between). Key b came from an API
   * server with the wrong issuer: it must never be served.
   */
  @Test
  void keysReadWhileTheIssuerChangesAreNeverPublished() throws Exception {
    RSAKey a = Keys.rsa();
    RSAKey b = Keys.rsa();
    String otherIssuer = "https://kubernetes.default.svc.cluster.local";
    apiServer.expect().get().withPath("/.well-known/openid-configuration").andReturn(200, discovery(ISSUER)).times(3);
    apiServer.expect().get().withPath("/.well-known/openid-configuration").andReturn(200, discovery(otherIssuer)).always();
    apiServer.expect().get().withPath("/openid/v1/jwks").andReturn(200, jwks(a)).once();
    apiServer.expect().get().withPath("/openid/v1/jwks").andReturn(200, jwks(a, b)).always();
    try (TestServer t = start(ISSUER)) {
      TestServer.await(WITHIN, "the mismatch during the read is reported", TestServer.io(() -> {
        Map<String, Object> error = JSONObjectUtils.getJSONObject(readySource(t.get(t.managementUri("/readyz"))), "lastError");
        return error != null && error.get("message").toString().contains("it changed while the keys were read")
            && t.metric("kubeassume_issuer_mismatch_total") >= 1;
      }));
      assertEquals(List.of(Keys.kidOf(a)), servedKids(t), "only the key read between two right issuers is served");
      HttpResponse<String> ready = t.get(t.managementUri("/readyz"));
      assertEquals(200, ready.statusCode(), "ready: the last good documents are served");
      Map<String, Object> source = readySource(ready);
      assertEquals(false, source.get("healthy"));
      String error = (String) JSONObjectUtils.getJSONObject(source, "lastError").get("message");
      assertTrue(error.contains(otherIssuer) && error.contains(ISSUER) && error.contains("none of them was published"), error);

      List<String> paths = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) {
        paths.add(apiServer.takeRequest(5, java.util.concurrent.TimeUnit.SECONDS).getPath());
      }
      assertEquals(List.of("/.well-known/openid-configuration", "/openid/v1/jwks", "/.well-known/openid-configuration",
          "/.well-known/openid-configuration", "/openid/v1/jwks", "/.well-known/openid-configuration"), paths,
          "every read of the keys is between two reads of the issuer");
    }
  }

  @Test
  void aForbiddenApiServerNamesTheMissingRbac() throws Exception {
    apiServer.expect().get().withPath("/.well-known/openid-configuration").andReturn(403, "{}").always();
    try (TestServer t = start(ISSUER)) {
      TestServer.await(WITHIN, "error on /readyz",
          TestServer.io(() -> t.get(t.managementUri("/readyz")).body().contains("403")));
      String body = t.get(t.managementUri("/readyz")).body();
      assertTrue(body.contains("nonResourceURLs") && body.contains("system:service-account-issuer-discovery"), body);
    }
  }
}
