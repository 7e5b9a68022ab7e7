package io.kubeassume.mirror.s3;

import io.kubeassume.mirror.MirrorTarget;
import io.kubeassume.mirror.MirrorTargetContract;
import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The target contract against MinIO in a container, where Docker is available; skipped cleanly where
 * it is not. MinIO evaluates {@code If-Match}/{@code If-None-Match} on PUT itself; the release is
 * pinned after the fix of minio/minio#21526 (a conditional PUT on a missing object was not refused,
 * which the contract checks). A new bucket per test.
 */
@Testcontainers(disabledWithoutDocker = true)
class MinioContainerTest extends MirrorTargetContract {
  private static final int PORT = 9000;
  private static final String USER = "kubeassume";
  private static final String PASSWORD = "kubeassume-secret";

  @Container
  static final GenericContainer<?> MINIO = new GenericContainer<>("minio/minio:RELEASE.2025-09-07T16-13-09Z")
      .withCommand("server", "/data")
      .withEnv("MINIO_ROOT_USER", USER)
      .withEnv("MINIO_ROOT_PASSWORD", PASSWORD)
      .withExposedPorts(PORT)
      .waitingFor(Wait.forHttp("/minio/health/live").forPort(PORT));

  private S3Client raw;
  private String bucket;

  private static URI endpoint() {
    return URI.create("http://" + MINIO.getHost() + ":" + MINIO.getMappedPort(PORT));
  }

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(USER, PASSWORD));
  }

  @BeforeEach
  void createBucket() {
    raw = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .region(Region.US_EAST_1)
        .endpointOverride(endpoint())
        .forcePathStyle(true)
        .credentialsProvider(credentials())
        .build();
    bucket = "oidc-" + UUID.randomUUID();
    raw.createBucket(r -> r.bucket(bucket));
  }

  @AfterEach
  void closeRaw() {
    raw.close();
  }

  @Override
  protected MirrorTarget newTarget() {
    return S3Target.create(bucket, Region.US_EAST_1, endpoint(), true, credentials());
  }

  @Override
  protected RawObject readRaw(String key) {
    try {
      ResponseBytes<GetObjectResponse> got = raw.getObjectAsBytes(r -> r.bucket(bucket).key(key));
      GetObjectResponse resp = got.response();
      return new RawObject(got.asByteArray(), resp.contentType(), resp.cacheControl(),
          resp.metadata().get(MirrorTarget.REVISION_METADATA));
    } catch (NoSuchKeyException e) {
      return null;
    }
  }

  @Override
  protected void deleteRaw(String key) {
    raw.deleteObject(r -> r.bucket(bucket).key(key));
  }
}
