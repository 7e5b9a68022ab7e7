package io.kubeassume.mirror.oci;

import com.oracle.bmc.ClientConfiguration;
import com.oracle.bmc.auth.BasicAuthenticationDetailsProvider;
import com.oracle.bmc.model.BmcException;
import com.oracle.bmc.objectstorage.ObjectStorage;
import com.oracle.bmc.objectstorage.ObjectStorageClient;
import com.oracle.bmc.objectstorage.requests.GetObjectRequest;
import com.oracle.bmc.objectstorage.requests.PutObjectRequest;
import com.oracle.bmc.objectstorage.responses.GetObjectResponse;
import com.oracle.bmc.retrier.RetryConfiguration;
import io.kubeassume.mirror.MirrorException;
import io.kubeassume.mirror.MirrorTarget;
import io.kubeassume.mirror.Precondition;
import io.kubeassume.mirror.PreconditionFailedException;
import io.kubeassume.mirror.StoredObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link MirrorTarget} in one OCI Object Storage bucket, through the OCI Java SDK (Jersey 3 HTTP
 * client). The concurrency token is the object's ETag: "create only" is {@code if-none-match: *},
 * "replace token T" is {@code if-match: T}; the service refuses either with 412 ({@code IfNoneMatchFailed}
 * / {@code IfMatchFailed}). The revision travels as {@code opc-meta-kubeassume-revision}. Every call
 * blocks: keep it off event loops.
 *
 * <p>The SDK's retries are off for the same reason as for the other stores: a retried conditional
 * PUT whose first attempt landed is refused because of itself. The publisher re-reads instead.
 */
public final class OciTarget implements MirrorTarget, AutoCloseable {
  private final ObjectStorage client;
  private final String namespace;
  private final String bucket;

  /** Uses {@code client} (closed by {@link #close()}). */
  public OciTarget(ObjectStorage client, String namespace, String bucket) {
    this.client = Objects.requireNonNull(client, "client");
    this.namespace = requireText(namespace, "namespace");
    this.bucket = requireText(bucket, "bucket");
  }

  private static String requireText(String s, String what) {
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException(what + " is empty");
    }
    return s;
  }

  /**
   * Builds a client of its own, signing with the credential {@link OciCredentials} picks from the
   * environment (resource principal, else {@code ~/.oci/config}, else instance principal).
   *
   * @param namespace the tenancy's Object Storage namespace ({@code oci os ns get})
   * @param regionOrNull e.g. {@code eu-frankfurt-1}; {@code null} for the credential's own region
   * @param endpointOrNull an endpoint override (tests, dedicated endpoints); {@code null} for the region's
   * @throws MirrorException if no credential can be set up, with what was tried and how to fix it
   */
  public static OciTarget create(String namespace, String bucket, String regionOrNull, URI endpointOrNull) {
    Map<String, String> env = System.getenv();
    Path configFile = OciCredentials.configFile(env, Path.of(System.getProperty("user.home")));
    OciCredentials kind = OciCredentials.choose(env, configFile);
    return create(namespace, bucket, regionOrNull, endpointOrNull, kind.provider(env, configFile));
  }

  /** As {@link #create(String, String, String, URI)}, signing with {@code auth}. */
  public static OciTarget create(String namespace, String bucket, String regionOrNull, URI endpointOrNull,
      BasicAuthenticationDetailsProvider auth) {
    ObjectStorageClient.Builder b = ObjectStorageClient.builder()
        // read() always closes the getObject stream, so the SDK's warning about it is noise.
        .isStreamWarningEnabled(false)
        .configuration(ClientConfiguration.builder().retryConfiguration(RetryConfiguration.NO_RETRY_CONFIGURATION).build());
    if (regionOrNull != null && !regionOrNull.isBlank()) {
      b.region(regionOrNull);
    }
    if (endpointOrNull != null) {
      b.endpoint(endpointOrNull.toString());
    }
    return new OciTarget(b.build(Objects.requireNonNull(auth, "auth")), namespace, bucket);
  }

  @Override
  public StoredObject read(String key) {
    GetObjectRequest req = GetObjectRequest.builder()
        .namespaceName(namespace)
        .bucketName(bucket)
        .objectName(key)
        .retryConfiguration(RetryConfiguration.NO_RETRY_CONFIGURATION)
        .build();
    try {
      GetObjectResponse resp = client.getObject(req);
      byte[] body;
      try (InputStream in = resp.getInputStream()) {
        body = in == null ? new byte[0] : in.readAllBytes();
      }
      return new StoredObject(body, resp.getETag(), revisionOf(resp.getOpcMeta()));
    } catch (BmcException e) {
      if (e.getStatusCode() == 404 && "ObjectNotFound".equals(e.getServiceCode())) {
        return null;
      }
      throw new MirrorException("cannot read " + key + " from " + describe() + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new MirrorException("cannot read " + key + " from " + describe() + ": " + e.getMessage(), e);
    }
  }

  /** The revision from {@code opc-meta-*} metadata (the SDK hands it over without the prefix). */
  static long revisionOf(Map<String, String> opcMeta) {
    return StoredObject.revisionFrom(opcMeta == null ? null : opcMeta.get(REVISION_METADATA));
  }

  @Override
  public void write(String key, byte[] body, String contentType, String cacheControl, long revision, Precondition pre)
      throws PreconditionFailedException {
    Objects.requireNonNull(pre, "pre");
    PutObjectRequest.Builder req = PutObjectRequest.builder()
        .namespaceName(namespace)
        .bucketName(bucket)
        .objectName(key)
        .contentType(contentType)
        .cacheControl(cacheControl)
        .opcMeta(Map.of(REVISION_METADATA, Long.toString(revision)))
        .contentLength((long) body.length)
        .putObjectBody(new ByteArrayInputStream(body))
        .retryConfiguration(RetryConfiguration.NO_RETRY_CONFIGURATION);
    if (pre instanceof Precondition.Replace r) {
      req.ifMatch(r.token());
    } else {
      req.ifNoneMatch("*");
    }
    try {
      client.putObject(req.build());
    } catch (BmcException e) {
      if (e.getStatusCode() == 412) {
        throw new PreconditionFailedException(
            "conditional write of " + key + " to " + describe() + " refused (412 " + e.getServiceCode() + "): " + pre, e);
      }
      throw new MirrorException("cannot write " + key + " to " + describe() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "oci://" + namespace + "/" + bucket;
  }

  @Override
  public void close() throws Exception {
    client.close();
  }
}
