package io.kubeassume.mirror.s3;

import io.kubeassume.mirror.MirrorException;
import io.kubeassume.mirror.MirrorTarget;
import io.kubeassume.mirror.Precondition;
import io.kubeassume.mirror.PreconditionFailedException;
import io.kubeassume.mirror.StoredObject;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A {@link MirrorTarget} in one S3 (or S3-compatible) bucket, through the AWS SDK v2 with the JDK
 * URL-connection HTTP client. Conditional writes use {@code If-None-Match: *} and
 * {@code If-Match: <etag>}; the revision travels as user metadata {@code kubeassume-revision}.
 * Every call blocks: keep it off event loops.
 *
 * <p>Conditional writes are never retried by the SDK. When an attempt fails after the store has
 * applied it (the connection breaks while the request body is still being flushed), an SDK retry
 * sends the same precondition again and the store refuses it because of our own first write: a
 * 412 that looks like a lost race but is not. Without SDK retries such a failure is a
 * {@link MirrorException}, and the publisher's next read finds our bytes ("unchanged"); a real
 * 412 is still reported as {@link PreconditionFailedException}, and the publisher re-reads and
 * decides again, which is the only correct way to retry a conditional write.
 */
public final class S3Target implements MirrorTarget, AutoCloseable {
  /** Per-request plugin that turns SDK retries off for one call, whatever client we were given. */
  private static final SdkPlugin NO_SDK_RETRIES =
      config -> config.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));

  private final S3Client client;
  private final String bucket;
  private final boolean ownsClient;

  /** Uses {@code client} (not closed by {@link #close()}). */
  public S3Target(S3Client client, String bucket) {
    this(client, bucket, false);
  }

  private S3Target(S3Client client, String bucket, boolean ownsClient) {
    this.client = Objects.requireNonNull(client, "client");
    if (bucket == null || bucket.isBlank()) {
      throw new IllegalArgumentException("bucket is empty");
    }
    this.bucket = bucket;
    this.ownsClient = ownsClient;
  }

  /**
   * Builds a client of its own.
   *
   * @param endpoint endpoint override for S3-compatible stores, or {@code null} for AWS
   * @param pathStyle path-style addressing ({@code endpoint/bucket/key}), needed by most S3-compatible stores
   * @param credentials {@code null} for the SDK's default chain
   */
  public static S3Target create(String bucket, Region region, URI endpoint, boolean pathStyle, AwsCredentialsProvider credentials) {
    S3ClientBuilder b = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .region(Objects.requireNonNull(region, "region"))
        // The documents are small byte arrays: send them with a plain Content-Length instead of
        // aws-chunked framing, which some S3-compatible stores (S3Proxy among them) answer and
        // close the connection on before the last framing bytes are read.
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(pathStyle).chunkedEncodingEnabled(false).build());
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    if (credentials != null) {
      b.credentialsProvider(credentials);
    }
    return new S3Target(b.build(), bucket, true);
  }

  @Override
  public StoredObject read(String key) {
    try {
      ResponseBytes<GetObjectResponse> got = client.getObjectAsBytes(r -> r.bucket(bucket).key(key));
      GetObjectResponse resp = got.response();
      return new StoredObject(got.asByteArray(), resp.eTag(), revisionOf(resp.metadata()));
    } catch (NoSuchKeyException e) {
      return null;
    } catch (S3Exception e) {
      // 404 without NoSuchBucket: no such key (some stores omit the code). A missing bucket is an error.
      if (e.statusCode() == 404 && !"NoSuchBucket".equals(errorCode(e))) {
        return null;
      }
      throw new MirrorException("cannot read " + key + " from " + describe() + ": " + e.getMessage(), e);
    } catch (SdkException e) {
      throw new MirrorException("cannot read " + key + " from " + describe() + ": " + e.getMessage(), e);
    }
  }

  static long revisionOf(Map<String, String> metadata) {
    return StoredObject.revisionFrom(metadata == null ? null : metadata.get(REVISION_METADATA));
  }

  @Override
  public void write(String key, byte[] body, String contentType, String cacheControl, long revision, Precondition pre)
      throws PreconditionFailedException {
    Objects.requireNonNull(pre, "pre");
    PutObjectRequest.Builder req = PutObjectRequest.builder()
        .bucket(bucket)
        .key(key)
        .contentType(contentType)
        .cacheControl(cacheControl)
        .metadata(Map.of(REVISION_METADATA, Long.toString(revision)))
        .overrideConfiguration(o -> o.addPlugin(NO_SDK_RETRIES));
    if (pre instanceof Precondition.Replace r) {
      req.ifMatch(r.token());
    } else {
      req.ifNoneMatch("*");
    }
    try {
      client.putObject(req.build(), RequestBody.fromBytes(body));
    } catch (S3Exception e) {
      if (refusedByPrecondition(e)) {
        throw new PreconditionFailedException(
            "conditional write of " + key + " to " + describe() + " refused (" + e.statusCode() + "): " + pre, e);
      }
      throw new MirrorException("cannot write " + key + " to " + describe() + ": " + e.getMessage(), e);
    } catch (SdkException e) {
      throw new MirrorException("cannot write " + key + " to " + describe() + ": " + e.getMessage(), e);
    }
  }

  /**
   * 412: the precondition failed. 409: a concurrent conditional write to the same key is in
   * progress. 404 NoSuchKey on a write: the object we meant to replace ({@code If-Match}) is gone.
   * All three mean "the object is not what we read"; a missing bucket (NoSuchBucket) does not.
   */
  static boolean refusedByPrecondition(S3Exception e) {
    if (e.statusCode() == 412 || e.statusCode() == 409) {
      return true;
    }
    return e.statusCode() == 404 && "NoSuchKey".equals(errorCode(e));
  }

  private static String errorCode(S3Exception e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  @Override
  public String describe() {
    return "s3://" + bucket;
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }
}
