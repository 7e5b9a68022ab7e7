package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.RSAKey;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.mirror.MirrorLocation;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The real server with {@code --mirror s3://...} against S3Proxy: the bucket holds exactly the
 * bytes the public port serves, follows a rotation, and a failing bucket shows on /readyz while
 * the documents keep being served. Credentials come through the AWS SDK's default chain (its
 * system-property provider), as they would in production.
 */
class MirrorServerTest {
  static final Duration WITHIN = Duration.ofSeconds(15);
  static final String BUCKET = "oidc";
  static final String TARGET = "s3://oidc/clusters/prod";

  @RegisterExtension
  final S3ProxyExtension s3proxy = S3ProxyExtension.builder().withCredentials("access", "secret-key").build();

  @TempDir
  Path dir;

  private S3Client raw;

  @BeforeEach
  void setUp() {
    System.setProperty("aws.accessKeyId", "access");
    System.setProperty("aws.secretAccessKey", "secret-key");
    raw = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .region(Region.US_EAST_1)
        .endpointOverride(s3proxy.getUri())
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("access", "secret-key")))
        .build();
    raw.createBucket(r -> r.bucket(BUCKET));
  }

  @AfterEach
  void tearDown() {
    raw.close();
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private ServeConfig config() {
    return TestServer.config("http://localhost", List.of(dir))
        .mirrors(List.of(MirrorLocation.parse(TARGET)))
        .mirrorEndpoint(s3proxy.getUri())
        // Long: every publish in these tests comes from a snapshot change, not from the resync timer.
        .mirrorResync(Duration.ofHours(1))
        .maxAgeSeconds(120)
        .build();
  }

  private ResponseBytes<GetObjectResponse> object(String key) {
    return raw.getObjectAsBytes(r -> r.bucket(BUCKET).key("clusters/prod/" + key));
  }

  /** The bucket holds byte for byte what the public port serves, with the same Content-Type and Cache-Control. */
  private boolean mirrored(TestServer t) throws Exception {
    for (String path : List.of(".well-known/openid-configuration", "openid/v1/jwks")) {
      HttpResponse<String> served = t.get(t.publicUri("/" + path));
      ResponseBytes<GetObjectResponse> stored;
      try {
        stored = object(path);
      } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
        return false;
      }
      if (served.statusCode() != 200 || !served.body().equals(stored.asUtf8String())
          || !served.headers().firstValue("content-type").orElse("").equals(stored.response().contentType())
          || !served.headers().firstValue("cache-control").orElse("").equals(stored.response().cacheControl())) {
        return false;
      }
    }
    return true;
  }

  private static JsonObject readyz(TestServer t) throws Exception {
    return new JsonObject(t.get(t.managementUri("/readyz")).body());
  }

  private static JsonObject mirror(TestServer t) throws Exception {
    return readyz(t).getJsonArray("mirrors").getJsonObject(0);
  }

  @Test
  void theBucketHoldsWhatThePublicPortServesAndFollowsARotation() throws Exception {
    RSAKey a = Keys.rsa();
    String kidA = Keys.writePem(dir.resolve("a.pub"), a);
    try (TestServer t = TestServer.start(config())) {
      TestServer.await(WITHIN, "key a served", TestServer.io(() -> t.jwks().contains(kidA)));
      TestServer.await(WITHIN, "the bucket holds the served documents", TestServer.io(() -> mirrored(t)));
      assertEquals("public, max-age=120", object("openid/v1/jwks").response().cacheControl());

      String kidB = Keys.writePem(dir.resolve("b.pub"), Keys.rsa());
      TestServer.await(WITHIN, "key b served", TestServer.io(() -> t.jwks().contains(kidB)));
      TestServer.await(WITHIN, "the bucket follows the rotation", TestServer.io(() -> mirrored(t) && object("openid/v1/jwks").asUtf8String().contains(kidB)));
      assertTrue(object("openid/v1/jwks").asUtf8String().contains(kidA), "the retired key is mirrored too");

      long revision = readyz(t).getLong("revision");
      TestServer.await(WITHIN, "readyz shows the mirrored revision",
          TestServer.io(() -> Long.valueOf(revision).equals(mirror(t).getLong("lastPublishedRevision"))));
      JsonObject m = mirror(t);
      assertEquals(TARGET, m.getString("target"));
      assertEquals(true, m.getBoolean("healthy"));
      assertEquals(0.0, t.metric("kubeassume_publish_errors_total{target=\"" + TARGET + "\"}"));
      assertEquals(0.0, t.metric("kubeassume_publish_total{result=\"error\",target=\"" + TARGET + "\"}"));
      assertTrue(t.metric("kubeassume_publish_total{result=\"written\",target=\"" + TARGET + "\"}") >= 1, "the rotation was written");
      assertTrue(t.metric("kubeassume_last_publish_timestamp_seconds{target=\"" + TARGET + "\"}") > 0);
      assertTrue(t.metric("kubeassume_publish_duration_seconds_count{target=\"" + TARGET + "\"}") >= 2);
      assertEquals((double) revision, t.metric("kubeassume_published_revision{target=\"" + TARGET + "\"}"));
    }
  }

  @Test
  void publishErrorsShowOnReadyzButServingContinues() throws Exception {
    String kidA = Keys.writePem(dir.resolve("a.pub"), Keys.rsa());
    try (TestServer t = TestServer.start(config())) {
      TestServer.await(WITHIN, "the bucket holds the served documents", TestServer.io(() -> t.jwks().contains(kidA) && mirrored(t)));

      for (String key : List.of("openid/v1/jwks", ".well-known/openid-configuration", ".kubeassume-write-check")) {
        raw.deleteObject(r -> r.bucket(BUCKET).key("clusters/prod/" + key));
      }
      raw.deleteBucket(r -> r.bucket(BUCKET));
      String kidB = Keys.writePem(dir.resolve("b.pub"), Keys.rsa());

      TestServer.await(WITHIN, "the new key is served although the mirror fails", TestServer.io(() -> t.jwks().contains(kidB)));
      TestServer.await(WITHIN, "the mirror error is on /readyz", TestServer.io(() -> mirror(t).getJsonObject("lastError") != null));
      HttpResponse<String> ready = t.get(t.managementUri("/readyz"));
      assertEquals(200, ready.statusCode(), "a failing mirror does not make the server unready");
      JsonObject m = new JsonObject(ready.body()).getJsonArray("mirrors").getJsonObject(0);
      assertEquals(false, m.getBoolean("healthy"));
      assertEquals("error", m.getString("lastResult"));
      assertTrue(m.getJsonObject("lastError").getString("message").contains("s3://oidc"), m.encode());
      assertTrue(t.metric("kubeassume_publish_errors_total{target=\"" + TARGET + "\"}") >= 1);
      // The bucket is behind: an alert compares these two.
      assertTrue(t.metric("kubeassume_published_revision{target=\"" + TARGET + "\"}") < t.metric("kubeassume_document_revision"));
      assertTrue(t.jwks().contains(kidA) && t.jwks().contains(kidB));
    }
  }
}
