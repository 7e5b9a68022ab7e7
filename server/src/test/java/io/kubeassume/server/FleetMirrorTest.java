package io.kubeassume.server;

import static io.kubeassume.server.TestServer.await;
import static io.kubeassume.server.TestServer.io;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.config.FleetSettings;
import io.kubeassume.config.ServeConfig;
import java.nio.file.Files;
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
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** A fleet issuer's spec.mirrors: each issuer publishes to its own prefix of one bucket, and stops when removed. */
class FleetMirrorTest {
  private static final Duration WITHIN = Duration.ofSeconds(20);

  @RegisterExtension
  final S3ProxyExtension s3proxy = S3ProxyExtension.builder().withCredentials("access", "secret-key").build();

  @TempDir
  Path dir;

  private S3Client raw;

  @BeforeEach
  void bucket() {
    System.setProperty("aws.accessKeyId", "access");
    System.setProperty("aws.secretAccessKey", "secret-key");
    raw = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).region(Region.US_EAST_1)
        .endpointOverride(s3proxy.getUri()).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("access", "secret-key"))).build();
    raw.createBucket(r -> r.bucket("fleet"));
  }

  @AfterEach
  void tearDown() {
    raw.close();
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  private byte[] object(String key) {
    return raw.getObjectAsBytes(r -> r.bucket("fleet").key(key)).asByteArray();
  }

  private boolean exists(String key) {
    try {
      object(key);
      return true;
    } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
      return false;
    }
  }

  @Test
  void everyIssuerPublishesToItsOwnPrefixByteForByte() throws Exception {
    for (String c : List.of("a", "b")) {
      Files.createDirectories(dir.resolve(c));
      Keys.writePem(dir.resolve(c + "/sa.pub"), Keys.rsa());
    }
    Path issuers = dir.resolve("issuers.yaml");
    Files.writeString(issuers, "issuers:\n"
        + "  - name: a\n    issuerURL: http://localhost/clusters/a\n    source: {files: [" + dir.resolve("a") + "]}\n"
        + "    mirrors: [s3://fleet/clusters/a]\n"
        + "  - name: b\n    issuerURL: http://localhost/clusters/b\n    source: {files: [" + dir.resolve("b") + "]}\n"
        + "    mirrors: [s3://fleet/clusters/b]\n");
    ServeConfig config = ServeConfig.fleetBuilder(FleetSettings.file(issuers, null, List.of()))
        .bind("127.0.0.1").port(0).managementPort(0).instances(1)
        .mirrorEndpoint(s3proxy.getUri()).mirrorResync(Duration.ofHours(1)).build();
    try (TestServer s = TestServer.start(config)) {
      for (String c : List.of("a", "b")) {
        await(WITHIN, c + " published", () -> exists("clusters/" + c + "/openid/v1/jwks"));
        await(WITHIN, c + "'s bucket copy equals what is served", io(() -> java.util.Arrays.equals(
            object("clusters/" + c + "/openid/v1/jwks"), s.get(s.publicUri("/clusters/" + c + "/openid/v1/jwks")).body().getBytes())));
        assertArrayEquals(s.get(s.publicUri("/clusters/" + c + "/.well-known/openid-configuration")).body().getBytes(),
            object("clusters/" + c + "/.well-known/openid-configuration"));
      }
      assertTrue(s.metrics().contains("kubeassume_publish_total{issuer=\"a\",result=\"written\",target=\"s3://fleet/clusters/a\"}"));

      // Removing b stops its mirror (and its series); its objects stay in the bucket.
      Files.writeString(issuers, "issuers:\n"
          + "  - name: a\n    issuerURL: http://localhost/clusters/a\n    source: {files: [" + dir.resolve("a") + "]}\n"
          + "    mirrors: [s3://fleet/clusters/a]\n");
      await(WITHIN, "b's mirror series gone", io(() -> !s.metrics().contains("target=\"s3://fleet/clusters/b\"")));
      assertTrue(exists("clusters/b/openid/v1/jwks"), "mirrored objects are never deleted");
      assertFalse(s.metrics().contains("issuer=\"b\""));
    }
  }
}
