package io.kubeassume.mirror.azure;

import static io.kubeassume.mirror.Snapshots.key;
import static io.kubeassume.mirror.Snapshots.rsaKey;
import static io.kubeassume.mirror.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.kubeassume.document.Snapshot;
import io.kubeassume.mirror.DocumentPublisher;
import io.kubeassume.mirror.MirrorException;
import io.kubeassume.mirror.MirrorTarget;
import io.kubeassume.mirror.ObjectOutcome;
import io.kubeassume.mirror.Precondition;
import io.kubeassume.mirror.PreconditionFailedException;
import io.kubeassume.mirror.PublishResult;
import io.kubeassume.mirror.StoredObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The target contract for {@link AzureBlobTarget} against Azurite from npm (one per class, a new
 * container per test): the real Azure SDK over a real socket. Plus what only Azure has: its error
 * codes for refused conditions, SAS and account-key failures, a missing container, and races
 * without the contract's lock (Azurite's conditional writes are atomic).
 */
class AzureMirrorTest extends AzuriteContract {
  @RegisterExtension
  static final AzuriteExtension AZURITE = new AzuriteExtension();

  @Override
  protected String connectionString() {
    return AZURITE.connectionString();
  }

  private static BlobStorageException refusal(PreconditionFailedException e) {
    return assertInstanceOf(BlobStorageException.class, e.getCause());
  }

  @Test
  void theTokenIsTheEtag() throws Exception {
    MirrorTarget target = target();
    assertEquals(describeTarget(), target.describe());
    publisher(target).publish(snapshot(1, key("a")));
    assertEquals(raw.getBlobClient(JWKS).getProperties().getETag(), target.read(JWKS).token());
  }

  @Test
  void eachRefusalOfTheStoreIsALostRace() throws Exception {
    MirrorTarget target = target();
    byte[] body = "x".getBytes(StandardCharsets.UTF_8);
    target.write("k", body, "text/plain", CACHE_CONTROL, 1, Precondition.createOnly());
    String etag = target.read("k").token();

    // If-None-Match: * on an existing blob: Azurite answers 409 BlobAlreadyExists (Azure itself 412).
    BlobStorageException exists = refusal(assertThrows(PreconditionFailedException.class,
        () -> target.write("k", body, "text/plain", CACHE_CONTROL, 2, Precondition.createOnly())));
    assertEquals(409, exists.getStatusCode());
    assertEquals("BlobAlreadyExists", exists.getErrorCode().toString());

    // If-Match with another ETag: 412 ConditionNotMet.
    BlobStorageException stale = refusal(assertThrows(PreconditionFailedException.class,
        () -> target.write("k", body, "text/plain", CACHE_CONTROL, 2, Precondition.replacing("\"0x8D0000000000000\""))));
    assertEquals(412, stale.getStatusCode());
    assertEquals("ConditionNotMet", stale.getErrorCode().toString());

    // If-Match on a blob deleted since it was read: a race lost to the delete. Azurite says 412
    // ConditionNotMet; a 404 BlobNotFound on a replace counts the same (AzureBlobConfigTest).
    deleteRaw("k");
    BlobStorageException gone = refusal(assertThrows(PreconditionFailedException.class,
        () -> target.write("k", body, "text/plain", CACHE_CONTROL, 2, Precondition.replacing(etag))));
    assertTrue(gone.getStatusCode() == 412 || gone.getStatusCode() == 404 && "BlobNotFound".equals(gone.getErrorCode().toString()),
        gone.getStatusCode() + " " + gone.getErrorCode());
    assertEquals(null, readRaw("k"), "the refused replace created nothing");
  }

  @Test
  void blobWithoutRevisionMetadataReadsAsNoRevisionAndIsReplaced() throws Exception {
    raw.getBlobClient(JWKS).upload(BinaryData.fromString("{\"keys\":[]}"));
    MirrorTarget target = target();
    assertEquals(StoredObject.NO_REVISION, target.read(JWKS).revision());

    Snapshot s = snapshot(1, key("a"));
    PublishResult r = publisher(target).publish(s);

    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertStored(s);
  }

  /**
   * Three replicas with their own clients on their own threads, two on the older snapshot, and no
   * lock around the writes (unlike the contract's race): Azurite's conditions are atomic like
   * Azure's, so this is the protocol under a real race.
   */
  @Test
  void racingPublishersWithoutALockEndWithTheNewestRevision() throws Exception {
    Snapshot older = snapshot(2, key("a"));
    Snapshot newer = snapshot(3, key("a"), rsaKey("b"));
    List<Snapshot> wanted = List.of(older, newer, older);
    CyclicBarrier start = new CyclicBarrier(wanted.size());
    ExecutorService pool = Executors.newFixedThreadPool(wanted.size());
    try {
      List<Future<PublishResult>> results = new ArrayList<>();
      for (Snapshot s : wanted) {
        DocumentPublisher p = new DocumentPublisher(target(), PREFIX, Duration.ofSeconds(300), 10, Duration.ZERO, d -> {});
        results.add(pool.submit(() -> {
          start.await(30, TimeUnit.SECONDS);
          return p.publish(s);
        }));
      }
      for (Future<PublishResult> f : results) {
        f.get(60, TimeUnit.SECONDS); // a publisher that gave up (MirrorException) fails the test here
      }
      assertEquals(ObjectOutcome.WRITTEN, results.get(1).get().jwks(), "the newest publisher has its bytes");
    } finally {
      pool.shutdownNow();
    }
    assertStored(newer);
  }

  @Test
  void missingContainerIsOneClearError() {
    AzureBlobTarget nowhere = AzureBlobTarget.create(AzuriteExtension.ACCOUNT, "no-such-container", null, connectionString());

    MirrorException e = assertThrows(MirrorException.class, () -> nowhere.read(JWKS));
    assertTrue(e.getMessage().contains("container 'no-such-container' does not exist"), e.getMessage());
    assertTrue(e.getMessage().contains("azblob://devstoreaccount1/no-such-container"), e.getMessage());

    MirrorException w = assertThrows(MirrorException.class,
        () -> nowhere.write(JWKS, new byte[] {1}, "application/json", CACHE_CONTROL, 1, Precondition.createOnly()));
    assertTrue(w.getMessage().contains("does not exist"), w.getMessage());
  }

  @Test
  void readOnlyAccessNamesTheMissingRole() throws Exception {
    publisher(target()).publish(snapshot(1, key("a")));
    // A container SAS that may read but not write: the service refuses the write with 403.
    String sas = raw.generateSas(new BlobServiceSasSignatureValues(OffsetDateTime.now().plusHours(1),
        new BlobContainerSasPermission().setReadPermission(true)));
    String readOnly = "BlobEndpoint=" + AZURITE.blobEndpoint() + ";SharedAccessSignature=" + sas;
    AzureBlobTarget reader = AzureBlobTarget.create(AzuriteExtension.ACCOUNT, containerName, null, readOnly);

    assertEquals(1, reader.read(JWKS).revision());
    MirrorException e = assertThrows(MirrorException.class,
        () -> reader.write("other", new byte[] {1}, "application/json", CACHE_CONTROL, 1, Precondition.createOnly()));
    assertTrue(e.getMessage().contains("Storage Blob Data Contributor"), e.getMessage());
    assertTrue(e.getMessage().contains(describeTarget()), e.getMessage());
    assertTrue(e.getMessage().contains("403"), e.getMessage());
  }

  @Test
  void wrongAccountKeyIsAnAccessError() {
    String wrongKey = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
        + Base64.getEncoder().encodeToString(new byte[64]) + ";BlobEndpoint=" + AZURITE.blobEndpoint() + ";";
    AzureBlobTarget t = AzureBlobTarget.create(AzuriteExtension.ACCOUNT, containerName, null, wrongKey);

    MirrorException e = assertThrows(MirrorException.class, () -> t.read(JWKS));
    assertTrue(e.getMessage().contains("denied (403"), e.getMessage());
    assertTrue(e.getMessage().contains("Storage Blob Data Contributor"), e.getMessage());
  }

  @Test
  void explicitEndpointWithoutAccountPathReachesTheEmulator() throws Exception {
    // --mirror-endpoint http://127.0.0.1:<port> with the key from the connection string: the account path is added.
    String keyOnly = "AccountName=devstoreaccount1;AccountKey=" + AzuriteExtension.ACCOUNT_KEY;
    AzureBlobTarget t = AzureBlobTarget.create(AzuriteExtension.ACCOUNT, containerName,
        URI.create("http://127.0.0.1:" + AZURITE.port()), keyOnly);
    Snapshot s = snapshot(1, key("a"));

    assertEquals(ObjectOutcome.WRITTEN, publisher(t).publish(s).jwks());
    assertStored(s);
  }
}
