package io.kubeassume.mirror.azure;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobStorageException;
import io.kubeassume.mirror.MirrorTarget;
import io.kubeassume.mirror.MirrorTargetContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;

/**
 * The target contract's hooks for {@link AzureBlobTarget} on an Azurite, wherever it runs (npm
 * process or container): a new container per test, raw reads and deletes through a client of the
 * test's own, targets built the way production builds them (from a connection string).
 */
abstract class AzuriteContract extends MirrorTargetContract {
  private static final AtomicInteger CONTAINERS = new AtomicInteger();

  protected String containerName;
  protected BlobContainerClient raw;

  /** An account-key connection string for the Azurite under test. */
  protected abstract String connectionString();

  @BeforeEach
  void createContainer() {
    containerName = "mirror-" + CONTAINERS.incrementAndGet();
    raw = new BlobContainerClientBuilder()
        .httpClient(new JdkHttpClientBuilder().build())
        .connectionString(connectionString())
        .containerName(containerName)
        .buildClient();
    raw.create();
  }

  @Override
  protected AzureBlobTarget newTarget() {
    return AzureBlobTarget.create(AzuriteExtension.ACCOUNT, containerName, null, connectionString());
  }

  @Override
  protected RawObject readRaw(String key) {
    try {
      var blob = raw.getBlobClient(key);
      BlobProperties p = blob.getProperties();
      byte[] body = blob.downloadContent().toBytes();
      return new RawObject(body, p.getContentType(), p.getCacheControl(), p.getMetadata().get(AzureBlobTarget.REVISION_METADATA));
    } catch (BlobStorageException e) {
      if (e.getStatusCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  @Override
  protected void deleteRaw(String key) {
    raw.getBlobClient(key).delete();
  }

  /** What {@link MirrorTarget#describe()} says for the test's container. */
  protected String describeTarget() {
    return "azblob://" + AzuriteExtension.ACCOUNT + "/" + containerName;
  }
}
