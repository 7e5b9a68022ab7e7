package io.kubeassume.mirror.gcs;

import com.google.cloud.NoCredentials;
import com.google.cloud.ServiceOptions;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import io.kubeassume.mirror.MirrorTarget;
import io.kubeassume.mirror.MirrorTargetContract;
import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The target contract against fake-gcs-server (a third-party GCS emulator) in a container, where
 * Docker is available; skipped cleanly where it is not. A new bucket per test.
 */
@Testcontainers(disabledWithoutDocker = true)
class FakeGcsServerContainerTest extends MirrorTargetContract {
  private static final int PORT = 4443;

  @Container
  static final GenericContainer<?> FAKE_GCS = new GenericContainer<>("fsouza/fake-gcs-server:1.52.2")
      .withCommand("-scheme", "http", "-port", Integer.toString(PORT))
      .withExposedPorts(PORT);

  private Storage raw;
  private String bucket;

  private static URI endpoint() {
    return URI.create("http://" + FAKE_GCS.getHost() + ":" + FAKE_GCS.getMappedPort(PORT));
  }

  @BeforeEach
  void createBucket() {
    raw = StorageOptions.http()
        .setHost(endpoint().toString())
        .setProjectId(GcsTarget.EMULATOR_PROJECT)
        .setCredentials(NoCredentials.getInstance())
        .setRetrySettings(ServiceOptions.getNoRetrySettings())
        .build()
        .getService();
    bucket = "oidc-" + UUID.randomUUID();
    raw.create(BucketInfo.of(bucket));
  }

  @AfterEach
  void closeRaw() throws Exception {
    raw.close();
  }

  @Override
  protected MirrorTarget newTarget() {
    return GcsTarget.create(bucket, endpoint());
  }

  @Override
  protected RawObject readRaw(String key) {
    Blob b = raw.get(BlobId.of(bucket, key));
    if (b == null) {
      return null;
    }
    String revision = b.getMetadata() == null ? null : b.getMetadata().get(MirrorTarget.REVISION_METADATA);
    return new RawObject(raw.readAllBytes(BlobId.of(bucket, key, b.getGeneration())), b.getContentType(), b.getCacheControl(), revision);
  }

  @Override
  protected void deleteRaw(String key) {
    raw.delete(BlobId.of(bucket, key));
  }
}
