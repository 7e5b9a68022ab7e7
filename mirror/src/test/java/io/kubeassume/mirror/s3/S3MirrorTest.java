package io.kubeassume.mirror.s3;

import static io.kubeassume.mirror.Snapshots.key;
import static io.kubeassume.mirror.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.document.Snapshot;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.mirror.DocumentPublisher;
import io.kubeassume.mirror.MirrorTarget;
import io.kubeassume.mirror.ObjectOutcome;
import io.kubeassume.mirror.Precondition;
import io.kubeassume.mirror.PreconditionFailedException;
import io.kubeassume.mirror.PublishResult;
import io.kubeassume.mirror.StoredObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
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
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/** The publisher and S3Target against S3Proxy in this JVM: the real SDK over a real socket. */
class S3MirrorTest {
  private static final String BUCKET = "oidc";
  private static final String PREFIX = "clusters/prod";
  private static final String JWKS = "clusters/prod/openid/v1/jwks";
  private static final String DISCOVERY = "clusters/prod/.well-known/openid-configuration";

  @RegisterExtension
  final S3ProxyExtension s3proxy = S3ProxyExtension.builder().withCredentials("access", "secret-key").build();

  private S3Client raw;
  private S3Target target;

  @BeforeEach
  void setUp() {
    raw = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .region(Region.US_EAST_1)
        .endpointOverride(s3proxy.getUri())
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(s3proxy.getAccessKey(), s3proxy.getSecretKey())))
        .build();
    raw.createBucket(r -> r.bucket(BUCKET));
    target = S3Target.create(BUCKET, Region.US_EAST_1, s3proxy.getUri(), true, StaticCredentialsProvider.create(
        AwsBasicCredentials.create(s3proxy.getAccessKey(), s3proxy.getSecretKey())));
  }

  @AfterEach
  void tearDown() {
    target.close();
    raw.close();
  }

  private DocumentPublisher publisher(MirrorTarget t) {
    return new DocumentPublisher(t, PREFIX, Duration.ofSeconds(300), 5, Duration.ofMillis(5), d -> Thread.sleep(d.toMillis()));
  }

  private ResponseBytes<GetObjectResponse> get(String key) {
    return raw.getObjectAsBytes(r -> r.bucket(BUCKET).key(key));
  }

  private void assertStored(String key, byte[] body, String contentType, long revision) {
    ResponseBytes<GetObjectResponse> got = get(key);
    assertArrayEquals(body, got.asByteArray(), key);
    assertEquals(contentType, got.response().contentType(), key);
    assertEquals("public, max-age=300", got.response().cacheControl(), key);
    assertEquals(Long.toString(revision), got.response().metadata().get("kubeassume-revision"), key);
  }

  private void assertStored(Snapshot s) {
    assertStored(JWKS, s.jwks().bytes(), "application/jwk-set+json", s.revision());
    assertStored(DISCOVERY, s.discovery().bytes(), "application/json", s.revision());
  }

  @Test
  void firstPublishCreatesBothObjects() throws Exception {
    Snapshot s = snapshot(1, key("a"));
    PublishResult r = publisher(target).publish(s);
    assertEquals(new PublishResult("s3://oidc", 1, ObjectOutcome.WRITTEN, ObjectOutcome.WRITTEN, 0), r);
    assertStored(s);
    StoredObject read = target.read(JWKS);
    assertEquals(1, read.revision());
    assertEquals(get(JWKS).response().eTag(), read.token());
  }

  @Test
  void readOfAMissingObjectIsNull() {
    assertEquals(null, target.read("nothing/here"));
  }

  @Test
  void identicalContentWritesNothing() throws Exception {
    Snapshot s = snapshot(1, key("a"));
    publisher(target).publish(s);
    String jwksEtag = get(JWKS).response().eTag();
    String discoveryEtag = get(DISCOVERY).response().eTag();
    CountingTarget counting = new CountingTarget(target);

    PublishResult r = publisher(counting).publish(s);

    assertTrue(r.unchanged());
    assertFalse(r.wroteAnything());
    assertEquals(0, counting.writes.get());
    assertEquals(jwksEtag, get(JWKS).response().eTag());
    assertEquals(discoveryEtag, get(DISCOVERY).response().eTag());
    assertStored(s);
  }

  @Test
  void newerSnapshotReplacesBothObjects() throws Exception {
    SigningKey a = key("a");
    Snapshot first = snapshot(1, a);
    Snapshot second = snapshot(2, a, key("b"));
    publisher(target).publish(first);
    String oldEtag = get(JWKS).response().eTag();

    PublishResult r = publisher(target).publish(second);

    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    // The discovery document lists algorithms only, so it is byte-identical for two EC keys.
    assertTrue(r.discovery() == ObjectOutcome.WRITTEN || r.discovery() == ObjectOutcome.UNCHANGED);
    assertNotEquals(oldEtag, get(JWKS).response().eTag());
    assertStored(JWKS, second.jwks().bytes(), "application/jwk-set+json", 2);
    assertArrayEquals(second.discovery().bytes(), get(DISCOVERY).asByteArray());
    assertTrue(second.jwks().asString().contains("\"kid\":\"b\""));
  }

  @Test
  void olderSnapshotIsSupersededAndLeavesTheNewerBytes() throws Exception {
    SigningKey a = key("a");
    Snapshot older = snapshot(1, a);
    Snapshot newer = snapshot(2, a, key("b"));
    publisher(target).publish(newer);
    String etag = get(JWKS).response().eTag();

    PublishResult r = publisher(target).publish(older);

    assertTrue(r.superseded());
    assertEquals(ObjectOutcome.SUPERSEDED, r.jwks());
    assertEquals(ObjectOutcome.SKIPPED, r.discovery());
    assertFalse(r.wroteAnything());
    assertEquals(etag, get(JWKS).response().eTag());
    assertStored(newer);
  }

  @Test
  void foreignWriteBetweenReadAndWriteIsDetectedAndRepublished() throws Exception {
    Snapshot s = snapshot(3, key("a"));
    byte[] foreign = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
    // Before our first write lands, someone else creates the object (as an older revision).
    CompetingTarget racing = new CompetingTarget(target, raw, foreign, "1");

    PublishResult r = publisher(racing).publish(s);

    assertEquals(1, racing.competingWrites.get());
    assertEquals(1, r.lostRaces());
    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertEquals(ObjectOutcome.WRITTEN, r.discovery());
    assertStored(s);
  }

  @Test
  void foreignNewerWriteDuringPublishWins() throws Exception {
    Snapshot s = snapshot(3, key("a"));
    byte[] foreign = snapshot(4, key("z")).jwks().bytes();
    CompetingTarget racing = new CompetingTarget(target, raw, foreign, "4");

    PublishResult r = publisher(racing).publish(s);

    assertEquals(1, r.lostRaces());
    assertEquals(ObjectOutcome.SUPERSEDED, r.jwks());
    assertEquals(ObjectOutcome.SKIPPED, r.discovery());
    assertArrayEquals(foreign, get(JWKS).asByteArray());
    assertEquals("4", get(JWKS).response().metadata().get("kubeassume-revision"));
    assertThrows(software.amazon.awssdk.services.s3.model.NoSuchKeyException.class, () -> get(DISCOVERY));
  }

  @Test
  void conditionalWritesAreEnforcedByTheStore() throws Exception {
    byte[] body = "x".getBytes(StandardCharsets.UTF_8);
    target.write("k", body, "text/plain", "public, max-age=1", 1, Precondition.createOnly());
    assertThrows(PreconditionFailedException.class,
        () -> target.write("k", body, "text/plain", "public, max-age=1", 1, Precondition.createOnly()));
    assertThrows(PreconditionFailedException.class,
        () -> target.write("k", body, "text/plain", "public, max-age=1", 1, Precondition.replacing("\"not-the-etag\"")));
    String etag = target.read("k").token();
    target.write("k", "y".getBytes(StandardCharsets.UTF_8), "text/plain", "public, max-age=1", 2, Precondition.replacing(etag));
    assertEquals("y", get("k").asUtf8String());
    assertEquals(2, target.read("k").revision());
  }

  @Test
  void deletedObjectIsRepairedByPublishingAgain() throws Exception {
    Snapshot s = snapshot(5, key("a"));
    publisher(target).publish(s);
    raw.deleteObject(r -> r.bucket(BUCKET).key(JWKS));

    PublishResult r = publisher(target).publish(s);

    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertEquals(ObjectOutcome.UNCHANGED, r.discovery());
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
  private static final class CompetingTarget implements MirrorTarget {
    final MirrorTarget delegate;
    final S3Client competitor;
    final byte[] foreign;
    final String foreignRevision;
    final AtomicInteger competingWrites = new AtomicInteger();

    CompetingTarget(MirrorTarget delegate, S3Client competitor, byte[] foreign, String foreignRevision) {
      this.delegate = delegate;
      this.competitor = competitor;
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
        competitor.putObject(r -> r.bucket(BUCKET).key(key).contentType(contentType)
                .metadata(java.util.Map.of("kubeassume-revision", foreignRevision)),
            software.amazon.awssdk.core.sync.RequestBody.fromBytes(foreign));
      }
      delegate.write(key, body, contentType, cacheControl, revision, pre);
    }

    @Override
    public String describe() {
      return delegate.describe();
    }
  }
}
