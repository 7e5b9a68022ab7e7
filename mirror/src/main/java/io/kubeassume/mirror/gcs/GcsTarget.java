package io.kubeassume.mirror.gcs;

import com.google.cloud.NoCredentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.ServiceOptions;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import io.kubeassume.mirror.MirrorException;
import io.kubeassume.mirror.MirrorTarget;
import io.kubeassume.mirror.Precondition;
import io.kubeassume.mirror.PreconditionFailedException;
import io.kubeassume.mirror.StoredObject;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link MirrorTarget} in one Google Cloud Storage bucket, through google-cloud-storage's JSON API
 * client. The concurrency token is the object's <em>generation</em>: "create only" is
 * {@code ifGenerationMatch=0} and "replace token T" is {@code ifGenerationMatch=T}; GCS refuses
 * either with 412 when the object has moved on. The revision travels in custom metadata
 * {@code kubeassume-revision}. Every call blocks: keep it off event loops.
 *
 * <p>The client is built without retries: a retried conditional upload whose first attempt landed
 * would be refused because of its own first write. A failure is a {@link MirrorException}; the
 * publisher's next run reads the store again and decides from what it finds.
 */
public final class GcsTarget implements MirrorTarget, AutoCloseable {
  /** Project id given to the client when it talks to an emulator, where projects do not matter. */
  static final String EMULATOR_PROJECT = "kubeassume-emulator";

  private final Storage storage;
  private final String bucket;

  /** Uses {@code storage} (closed by {@link #close()}). */
  public GcsTarget(Storage storage, String bucket) {
    this.storage = Objects.requireNonNull(storage, "storage");
    if (bucket == null || bucket.isBlank()) {
      throw new IllegalArgumentException("bucket is empty");
    }
    this.bucket = bucket;
  }

  /**
   * Builds a client of its own.
   *
   * @param endpointOrNull {@code null} for Google Cloud with Application Default Credentials (on
   *     GKE: Workload Identity; elsewhere {@code GOOGLE_APPLICATION_CREDENTIALS} or gcloud's login);
   *     else the base URL of an emulator such as fake-gcs-server, used without credentials
   * @throws MirrorException if {@code endpointOrNull} is null and no Application Default Credentials are found
   */
  public static GcsTarget create(String bucket, URI endpointOrNull) {
    StorageOptions.Builder options = StorageOptions.http().setRetrySettings(ServiceOptions.getNoRetrySettings());
    if (endpointOrNull != null) {
      options.setHost(stripTrailingSlash(endpointOrNull.toString()))
          .setProjectId(EMULATOR_PROJECT)
          .setCredentials(NoCredentials.getInstance());
    } else {
      // Looked up now, so a missing credential stops start-up instead of failing every publish with 401.
      options.setCredentials(applicationDefaultCredentials());
    }
    return new GcsTarget(options.build().getService(), bucket);
  }

  private static GoogleCredentials applicationDefaultCredentials() {
    try {
      return GoogleCredentials.getApplicationDefault();
    } catch (IOException e) {
      throw new MirrorException("no Google credentials for the GCS mirror: run on GKE with Workload Identity (a Kubernetes "
          + "service account bound to a Google service account), or set GOOGLE_APPLICATION_CREDENTIALS to a credentials "
          + "file (" + e.getMessage() + ")", e);
    }
  }

  private static String stripTrailingSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  @Override
  public StoredObject read(String key) {
    try {
      try {
        return readOnce(key);
      } catch (StorageException e) {
        if (e.getCode() != 404) {
          throw e;
        }
        // The generation we saw was replaced or deleted before its download: read what is there now.
        return readOnce(key);
      }
    } catch (StorageException e) {
      throw new MirrorException("cannot read " + key + " from " + describe() + ": " + e.getMessage(), e);
    }
  }

  private StoredObject readOnce(String key) {
    Blob meta = storage.get(BlobId.of(bucket, key));
    if (meta == null) {
      return null;
    }
    // Download exactly the generation whose metadata we hold, so bytes, token and revision agree.
    byte[] body = storage.readAllBytes(BlobId.of(bucket, key, meta.getGeneration()));
    return new StoredObject(body, Long.toString(meta.getGeneration()), revisionOf(meta.getMetadata()));
  }

  static long revisionOf(Map<String, String> metadata) {
    return StoredObject.revisionFrom(metadata == null ? null : metadata.get(REVISION_METADATA));
  }

  /** The {@code ifGenerationMatch} value for {@code pre}: 0 means "no live object". */
  static long generationFor(Precondition pre) {
    if (pre instanceof Precondition.Replace r) {
      try {
        return Long.parseLong(r.token());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a GCS generation: " + r.token(), e);
      }
    }
    return 0L;
  }

  @Override
  public void write(String key, byte[] body, String contentType, String cacheControl, long revision, Precondition pre)
      throws PreconditionFailedException {
    Objects.requireNonNull(pre, "pre");
    BlobInfo info = BlobInfo.newBuilder(BlobId.of(bucket, key))
        .setContentType(contentType)
        .setCacheControl(cacheControl)
        .setMetadata(Map.of(REVISION_METADATA, Long.toString(revision)))
        .build();
    try {
      storage.create(info, body, Storage.BlobTargetOption.generationMatch(generationFor(pre)));
    } catch (StorageException e) {
      if (e.getCode() == 412) {
        throw new PreconditionFailedException(
            "conditional write of " + key + " to " + describe() + " refused (412): " + pre, e);
      }
      throw new MirrorException("cannot write " + key + " to " + describe() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "gs://" + bucket;
  }

  @Override
  public void close() throws Exception {
    storage.close();
  }
}
