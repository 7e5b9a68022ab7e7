package io.kubeassume.mirror.azure;

import static io.kubeassume.mirror.Snapshots.key;
import static io.kubeassume.mirror.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.kubeassume.document.Snapshot;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.mirror.DocumentPublisher;
import io.kubeassume.mirror.MirrorException;
import io.kubeassume.mirror.MirrorTarget;
import io.kubeassume.mirror.ObjectOutcome;
import io.kubeassume.mirror.Precondition;
import io.kubeassume.mirror.PreconditionFailedException;
import io.kubeassume.mirror.PublishResult;
import io.kubeassume.mirror.StoredObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The publisher and {@link AzureBlobTarget} against Azurite: the real Azure SDK over a real socket.
 *
 * <p>Built as scenarios over a few hooks ({@link #target()}, {@link #stored}, {@link #foreignPut},
 * {@link #delete}) so it can later extend a store-independent mirror contract. Each test gets its
 * own container in the class's Azurite.
 */
class AzureMirrorTest {
  private static final String PREFIX = "clusters/prod";
  private static final String JWKS = "clusters/prod/openid/v1/jwks";
  private static final String DISCOVERY = "clusters/prod/.well-known/openid-configuration";
  private static final String CACHE_CONTROL = "public, max-age=300";
  private static final AtomicInteger CONTAINERS = new AtomicInteger();

  @RegisterExtension
  static final AzuriteExtension AZURITE = new AzuriteExtension();

  private static final ExecutorService POOL = Executors.newFixedThreadPool(3);

  private String containerName;
  private BlobContainerClient raw;
  private AzureBlobTarget target;

  @BeforeEach
  void setUp() {
    containerName = "mirror-" + CONTAINERS.incrementAndGet();
    raw = new BlobContainerClientBuilder()
        .httpClient(new JdkHttpClientBuilder().build())
        .connectionString(AZURITE.connectionString())
        .containerName(containerName)
        .buildClient();
    raw.create();
    target = newTarget();
  }

  @AfterAll
  static void stopPool() {
    POOL.shutdownNow();
  }

  // ---- hooks: what a store-independent contract would ask of each store ----

  /** A target of its own (own client) on the test's container, built the way production builds it. */
  AzureBlobTarget newTarget() {
    return AzureBlobTarget.create(AzuriteExtension.ACCOUNT, containerName, null, AZURITE.connectionString());
  }

  MirrorTarget target() {
    return target;
  }

  /** What the store holds under {@code key}, read with a client of the test's own, or null. */
  Stored stored(String key) {
    try {
      var blob = raw.getBlobClient(key);
      BlobProperties p = blob.getProperties();
      byte[] bytes = blob.downloadContent().toBytes();
      return new Stored(bytes, p.getContentType(), p.getCacheControl(), p.getMetadata().get(AzureBlobTarget.REVISION_METADATA),
          p.getETag());
    } catch (BlobStorageException e) {
      if (e.getStatusCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  /** Another writer (not kubeassume's target) puts {@code body} under {@code key} unconditionally. */
  void foreignPut(String key, byte[] body, String contentType, long revision) {
    raw.getBlobClient(key).getBlockBlobClient().uploadWithResponse(
        new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(body))
            .setHeaders(new BlobHttpHeaders().setContentType(contentType))
            .setMetadata(Map.of(AzureBlobTarget.REVISION_METADATA, Long.toString(revision))),
        null, null);
  }

  void delete(String key) {
    raw.getBlobClient(key).delete();
  }

  String describeTarget() {
    return "azblob://" + AzuriteExtension.ACCOUNT + "/" + containerName;
  }

  record Stored(byte[] bytes, String contentType, String cacheControl, String revision, String token) {}

  // ---- scenarios ----

  private DocumentPublisher publisher(MirrorTarget t) {
    return new DocumentPublisher(t, PREFIX, Duration.ofSeconds(300), 5, Duration.ofMillis(5), d -> Thread.sleep(d.toMillis()));
  }

  private void assertStored(String key, byte[] body, String contentType, long revision) {
    Stored s = stored(key);
    assertNotNull(s, key + " is missing");
    assertArrayEquals(body, s.bytes(), key);
    assertEquals(contentType, s.contentType(), key);
    assertEquals(CACHE_CONTROL, s.cacheControl(), key);
    assertEquals(Long.toString(revision), s.revision(), key);
  }

  private void assertStored(Snapshot s) {
    assertStored(JWKS, s.jwks().bytes(), "application/jwk-set+json", s.revision());
    assertStored(DISCOVERY, s.discovery().bytes(), "application/json", s.revision());
  }

  @Test
  void firstPublishCreatesBothObjects() throws Exception {
    Snapshot s = snapshot(1, key("a"));

    PublishResult r = publisher(target()).publish(s);

    assertEquals(new PublishResult(describeTarget(), 1, ObjectOutcome.WRITTEN, ObjectOutcome.WRITTEN, 0), r);
    assertStored(s);
    StoredObject read = target().read(JWKS);
    assertEquals(1, read.revision());
    assertEquals(stored(JWKS).token(), read.token());
    assertArrayEquals(s.jwks().bytes(), read.bytes());
  }

  @Test
  void readOfAMissingBlobIsNull() {
    assertNull(target().read("nothing/here"));
  }

  @Test
  void identicalContentWritesNothing() throws Exception {
    Snapshot s = snapshot(1, key("a"));
    publisher(target()).publish(s);
    String jwksEtag = stored(JWKS).token();
    String discoveryEtag = stored(DISCOVERY).token();
    CountingTarget counting = new CountingTarget(target());

    PublishResult r = publisher(counting).publish(s);

    assertTrue(r.unchanged());
    assertFalse(r.wroteAnything());
    assertEquals(0, counting.writes.get());
    assertEquals(jwksEtag, stored(JWKS).token());
    assertEquals(discoveryEtag, stored(DISCOVERY).token());
    assertStored(s);
  }

  @Test
  void rotationUpdatesTheJwks() throws Exception {
    SigningKey a = key("a");
    Snapshot first = snapshot(1, a);
    Snapshot second = snapshot(2, a, key("b"));
    publisher(target()).publish(first);
    String oldEtag = stored(JWKS).token();

    PublishResult r = publisher(target()).publish(second);

    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertNotEquals(oldEtag, stored(JWKS).token());
    assertStored(JWKS, second.jwks().bytes(), "application/jwk-set+json", 2);
    assertTrue(second.jwks().asString().contains("\"kid\":\"b\""));
    // The discovery document lists algorithms only, so two EC keys leave it byte-identical (and at revision 1).
    assertEquals(ObjectOutcome.UNCHANGED, r.discovery());
    assertStored(DISCOVERY, second.discovery().bytes(), "application/json", 1);
  }

  @Test
  void olderSnapshotIsSupersededAndLeavesTheNewerBytes() throws Exception {
    SigningKey a = key("a");
    Snapshot older = snapshot(1, a);
    Snapshot newer = snapshot(2, a, key("b"));
    publisher(target()).publish(newer);
    String etag = stored(JWKS).token();

    PublishResult r = publisher(target()).publish(older);

    assertEquals(ObjectOutcome.SUPERSEDED, r.jwks());
    assertEquals(ObjectOutcome.SKIPPED, r.discovery());
    assertEquals(etag, stored(JWKS).token());
    assertStored(newer);
  }

  @Test
  void foreignWriteBetweenReadAndWriteIsDetectedAndRepublished() throws Exception {
    Snapshot s = snapshot(3, key("a"));
    byte[] foreign = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
    // Right before our first write (a create-only, after reading nothing), someone else creates the blob.
    CompetingTarget racing = new CompetingTarget(target(), foreign, 1);

    PublishResult r = publisher(racing).publish(s);

    assertEquals(1, racing.competingWrites.get());
    assertEquals(1, r.lostRaces());
    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertEquals(ObjectOutcome.WRITTEN, r.discovery());
    assertStored(s);
  }

  @Test
  void foreignWriteBetweenReadAndReplaceIsDetected() throws Exception {
    Snapshot first = snapshot(1, key("a"));
    Snapshot second = snapshot(5, key("b"));
    publisher(target()).publish(first);
    byte[] foreign = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
    // This time the lost write is an If-Match replace (412), not a create.
    CompetingTarget racing = new CompetingTarget(target(), foreign, 2);

    PublishResult r = publisher(racing).publish(second);

    assertEquals(1, r.lostRaces());
    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertStored(JWKS, second.jwks().bytes(), "application/jwk-set+json", 5);
  }

  @Test
  void foreignNewerWriteDuringPublishWins() throws Exception {
    Snapshot s = snapshot(3, key("a"));
    byte[] foreign = snapshot(4, key("z")).jwks().bytes();
    CompetingTarget racing = new CompetingTarget(target(), foreign, 4);

    PublishResult r = publisher(racing).publish(s);

    assertEquals(1, r.lostRaces());
    assertEquals(ObjectOutcome.SUPERSEDED, r.jwks());
    assertEquals(ObjectOutcome.SKIPPED, r.discovery());
    assertArrayEquals(foreign, stored(JWKS).bytes());
    assertEquals("4", stored(JWKS).revision());
    assertNull(stored(DISCOVERY));
  }

  @Test
  void threePublishersRacingEndWithTheNewestVersion() throws Exception {
    // Three replicas, each with its own client, two of them still on the older snapshot.
    for (int round = 1; round <= 3; round++) {
      if (round > 1) {
        setUp(); // a fresh container: the discovery bytes are the same in every round
      }
      SigningKey k = key("r" + round);
      Snapshot older = snapshot(2L * round - 1, k);
      Snapshot newer = snapshot(2L * round, k, key("n" + round));
      List<Snapshot> wants = List.of(older, newer, older);
      CyclicBarrier start = new CyclicBarrier(wants.size());
      List<Future<PublishResult>> results = new ArrayList<>();
      for (Snapshot want : wants) {
        DocumentPublisher p = publisher(newTarget());
        results.add(POOL.submit(() -> {
          start.await(30, TimeUnit.SECONDS);
          return p.publish(want);
        }));
      }
      int jwksWrites = 0;
      for (Future<PublishResult> f : results) {
        PublishResult r = f.get(60, TimeUnit.SECONDS); // a MirrorException (gave up) fails the test here
        jwksWrites += r.jwks() == ObjectOutcome.WRITTEN ? 1 : 0;
      }
      PublishResult newest = results.get(1).get();
      assertFalse(newest.superseded(), "round " + round + ": the newest snapshot was superseded: " + newest);
      assertTrue(jwksWrites >= 1, "round " + round + ": nobody wrote the JWKS");
      assertStored(JWKS, newer.jwks().bytes(), "application/jwk-set+json", newer.revision());
      // Both snapshots render the same discovery bytes (EC keys only), so whichever publisher
      // wrote it first left its revision and the others found it unchanged.
      assertArrayEquals(older.discovery().bytes(), newer.discovery().bytes());
      Stored discovery = stored(DISCOVERY);
      assertArrayEquals(newer.discovery().bytes(), discovery.bytes());
      assertEquals("application/json", discovery.contentType());
      assertEquals(CACHE_CONTROL, discovery.cacheControl());
      assertTrue(List.of(Long.toString(older.revision()), Long.toString(newer.revision())).contains(discovery.revision()),
          discovery.revision());
    }
  }

  @Test
  void deletedBlobIsRepairedByPublishingAgain() throws Exception {
    Snapshot s = snapshot(5, key("a"));
    publisher(target()).publish(s);
    delete(JWKS);

    PublishResult r = publisher(target()).publish(s);

    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertEquals(ObjectOutcome.UNCHANGED, r.discovery());
    assertStored(s);
  }

  @Test
  void conditionalWritesAreEnforcedByTheStore() throws Exception {
    byte[] body = "x".getBytes(StandardCharsets.UTF_8);
    target().write("k", body, "text/plain", CACHE_CONTROL, 1, Precondition.createOnly());
    // Azurite answers 409 BlobAlreadyExists here, Azure 412: both are a refused precondition.
    assertThrows(PreconditionFailedException.class,
        () -> target().write("k", body, "text/plain", CACHE_CONTROL, 1, Precondition.createOnly()));
    assertThrows(PreconditionFailedException.class,
        () -> target().write("k", body, "text/plain", CACHE_CONTROL, 1, Precondition.replacing("\"0x8D0000000000000\"")));
    String etag = target().read("k").token();
    target().write("k", "y".getBytes(StandardCharsets.UTF_8), "text/plain", CACHE_CONTROL, 2, Precondition.replacing(etag));
    assertStored("k", "y".getBytes(StandardCharsets.UTF_8), "text/plain", 2);
    assertEquals(2, target().read("k").revision());
    // The blob is gone: replacing the version we read is refused, not an error.
    delete("k");
    String gone = etag;
    assertThrows(PreconditionFailedException.class,
        () -> target().write("k", body, "text/plain", CACHE_CONTROL, 3, Precondition.replacing(gone)));
  }

  @Test
  void blobWithoutRevisionMetadataReadsAsNoRevisionAndIsReplaced() throws Exception {
    raw.getBlobClient(JWKS).upload(BinaryData.fromString("{\"keys\":[]}"));
    assertEquals(StoredObject.NO_REVISION, target().read(JWKS).revision());

    Snapshot s = snapshot(1, key("a"));
    PublishResult r = publisher(target()).publish(s);

    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertStored(s);
  }

  @Test
  void missingContainerIsOneClearError() {
    AzureBlobTarget nowhere = AzureBlobTarget.create(AzuriteExtension.ACCOUNT, "no-such-container", null, AZURITE.connectionString());

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
        + java.util.Base64.getEncoder().encodeToString(new byte[64]) + ";BlobEndpoint=" + AZURITE.blobEndpoint() + ";";
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
        java.net.URI.create("http://127.0.0.1:" + AZURITE.port()), keyOnly);
    Snapshot s = snapshot(1, key("a"));

    assertEquals(ObjectOutcome.WRITTEN, publisher(t).publish(s).jwks());
    assertStored(s);
  }

  /** Counts writes, delegates everything. */
  private static final class CountingTarget implements MirrorTarget {
    final MirrorTarget delegate;
    final AtomicInteger writes = new AtomicInteger();

    CountingTarget(MirrorTarget delegate) {
      this.delegate = delegate;
    }

    @Override
    public StoredObject read(String key) {
      return delegate.read(key);
    }

    @Override
    public void write(String key, byte[] body, String contentType, String cacheControl, long revision, Precondition pre)
        throws PreconditionFailedException {
      writes.incrementAndGet();
      delegate.write(key, body, contentType, cacheControl, revision, pre);
    }

    @Override
    public String describe() {
      return delegate.describe();
    }
  }

  /** Right before delegating the first write, another writer puts {@code foreign} under the same key. */
  private final class CompetingTarget implements MirrorTarget {
    final MirrorTarget delegate;
    final byte[] foreign;
    final long foreignRevision;
    final AtomicInteger competingWrites = new AtomicInteger();

    CompetingTarget(MirrorTarget delegate, byte[] foreign, long foreignRevision) {
      this.delegate = delegate;
      this.foreign = foreign;
      this.foreignRevision = foreignRevision;
    }

    @Override
    public StoredObject read(String key) {
      return delegate.read(key);
    }

    @Override
    public void write(String key, byte[] body, String contentType, String cacheControl, long revision, Precondition pre)
        throws PreconditionFailedException {
      if (competingWrites.compareAndSet(0, 1)) {
        foreignPut(key, foreign, contentType, foreignRevision);
      }
      delegate.write(key, body, contentType, cacheControl, revision, pre);
    }

    @Override
    public String describe() {
      return delegate.describe();
    }
  }
}
