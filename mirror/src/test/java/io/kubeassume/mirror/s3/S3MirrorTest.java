package io.kubeassume.mirror.s3;

import static io.kubeassume.mirror.Snapshots.key;
import static io.kubeassume.mirror.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.mirror.MirrorException;
import io.kubeassume.mirror.MirrorTarget;
import io.kubeassume.mirror.MirrorTargetContract;
import io.kubeassume.mirror.Precondition;
import java.nio.charset.StandardCharsets;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** The target contract for S3Target against S3Proxy in this JVM (a fresh store per test): the real SDK over a real socket. */
class S3MirrorTest extends MirrorTargetContract {
  private static final String BUCKET = "oidc";

  @RegisterExtension
  final S3ProxyExtension s3proxy = S3ProxyExtension.builder().withCredentials("access", "secret-key").build();

  private S3Client raw;

  @BeforeEach
  void setUp() {
    raw = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .region(Region.US_EAST_1)
        .endpointOverride(s3proxy.getUri())
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).chunkedEncodingEnabled(false).build())
        .credentialsProvider(credentials())
        .build();
    raw.createBucket(r -> r.bucket(BUCKET));
  }

  @AfterEach
  void tearDown() {
    raw.close();
  }

  private StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(s3proxy.getAccessKey(), s3proxy.getSecretKey()));
  }

  @Override
  protected MirrorTarget newTarget() {
    return S3Target.create(BUCKET, Region.US_EAST_1, s3proxy.getUri(), true, credentials());
  }

  @Override
  protected RawObject readRaw(String key) {
    try {
      ResponseBytes<GetObjectResponse> got = raw.getObjectAsBytes(r -> r.bucket(BUCKET).key(key));
      GetObjectResponse resp = got.response();
      return new RawObject(got.asByteArray(), resp.contentType(), resp.cacheControl(),
          resp.metadata().get(MirrorTarget.REVISION_METADATA));
    } catch (NoSuchKeyException e) {
      return null;
    }
  }

  @Override
  protected void deleteRaw(String key) {
    raw.deleteObject(r -> r.bucket(BUCKET).key(key));
  }

  @Test
  void theTokenIsTheEtag() throws Exception {
    MirrorTarget target = target();
    publisher(target).publish(snapshot(1, key("a")));
    assertEquals(raw.headObject(r -> r.bucket(BUCKET).key(JWKS)).eTag(), target.read(JWKS).token());
  }

  @Test
  void aMissingBucketIsAStoreErrorNotALostRace() throws Exception {
    S3Target elsewhere = S3Target.create("no-such-bucket", Region.US_EAST_1, s3proxy.getUri(), true, credentials());
    try {
      byte[] body = "x".getBytes(StandardCharsets.UTF_8);
      MirrorException e = assertThrows(MirrorException.class,
          () -> elsewhere.write("k", body, "text/plain", CACHE_CONTROL, 1, Precondition.replacing("\"etag\"")));
      assertInstanceOf(S3Exception.class, e.getCause());
      assertEquals(404, ((S3Exception) e.getCause()).statusCode());
      assertTrue(e.getMessage().contains("s3://no-such-bucket"), e.getMessage());
      assertThrows(MirrorException.class, () -> elsewhere.read("k"));
    } finally {
      elsewhere.close();
    }
  }

  @Test
  void preconditionRefusalsAreClassified() {
    assertTrue(S3Target.refusedByPrecondition(s3Error(412, "PreconditionFailed")));
    assertTrue(S3Target.refusedByPrecondition(s3Error(409, "ConditionalRequestConflict")));
    assertTrue(S3Target.refusedByPrecondition(s3Error(404, "NoSuchKey")));
    assertFalse(S3Target.refusedByPrecondition(s3Error(404, "NoSuchBucket")));
    assertFalse(S3Target.refusedByPrecondition(s3Error(403, "AccessDenied")));
    assertFalse(S3Target.refusedByPrecondition(s3Error(500, "InternalError")));
  }

  private static S3Exception s3Error(int status, String code) {
    return (S3Exception) S3Exception.builder()
        .statusCode(status)
        .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder().errorCode(code).build())
        .build();
  }
}
