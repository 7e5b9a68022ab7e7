package io.kubeassume.mirror;

import static io.kubeassume.mirror.Snapshots.key;
import static io.kubeassume.mirror.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kubeassume.document.Snapshot;
import io.kubeassume.keys.SigningKey;
import io.kubeassume.mirror.s3.S3Target;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * The verticle with the real S3Target against S3Proxy in this JVM. Assertions are on the bytes and
 * metadata stored, never on which attempt wrote them (S3Proxy may answer a first create with 412).
 */
@ExtendWith(VertxExtension.class)
class MirrorVerticleTest {
  private static final String BUCKET = "oidc";
  private static final MirrorLocation LOCATION = MirrorLocation.parse("s3://oidc/clusters/prod");
  private static final String JWKS = "clusters/prod/openid/v1/jwks";
  private static final String DISCOVERY = "clusters/prod/.well-known/openid-configuration";
  private static final Duration WITHIN = Duration.ofSeconds(15);

  @RegisterExtension
  final S3ProxyExtension s3proxy = S3ProxyExtension.builder().withCredentials("access", "secret-key").build();

  private S3Client raw;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void setUp() {
    raw = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .region(Region.US_EAST_1)
        .endpointOverride(s3proxy.getUri())
        .forcePathStyle(true)
        .credentialsProvider(credentials("access", "secret-key"))
        .build();
    raw.createBucket(r -> r.bucket(BUCKET));
  }

  @AfterEach
  void tearDown() {
    raw.close();
  }

  private StaticCredentialsProvider credentials(String access, String secret) {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(access, secret));
  }

  private S3Target target(String bucket, String secret) {
    return S3Target.create(bucket, Region.US_EAST_1, s3proxy.getUri(), true, credentials("access", secret));
  }

  private MirrorVerticle.Mirror mirror(MirrorLocation location, MirrorTarget target) {
    return new MirrorVerticle.Mirror(location, target,
        new DocumentPublisher(target, location.keyPrefix(), Duration.ofSeconds(300), 5, Duration.ofMillis(5),
            d -> Thread.sleep(d.toMillis())));
  }

  private MirrorVerticle deploy(Vertx vertx, Duration resync, MirrorVerticle.Mirror... mirrors) throws Exception {
    MirrorVerticle v = new MirrorVerticle(List.of(mirrors), resync, registry);
    vertx.deployVerticle(v).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    return v;
  }

  private boolean stored(Snapshot s) {
    try {
      ResponseBytes<GetObjectResponse> jwks = raw.getObjectAsBytes(r -> r.bucket(BUCKET).key(JWKS));
      ResponseBytes<GetObjectResponse> discovery = raw.getObjectAsBytes(r -> r.bucket(BUCKET).key(DISCOVERY));
      return java.util.Arrays.equals(s.jwks().bytes(), jwks.asByteArray())
          && java.util.Arrays.equals(s.discovery().bytes(), discovery.asByteArray());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private double published(String result) {
    Counter c = registry.find("kubeassume.publish").tag("target", LOCATION.toString()).tag("result", result).counter();
    return c == null ? 0 : c.count();
  }

  private double publishes() {
    return registry.find("kubeassume.publish").tag("target", LOCATION.toString()).counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WITHIN.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + WITHIN.toSeconds() + " s: " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void aNewSnapshotIsPublishedWithTheServersHeadersAndMetadata(Vertx vertx) throws Exception {
    MirrorVerticle v = deploy(vertx, Duration.ofHours(1), mirror(LOCATION, target(BUCKET, "secret-key")));
    assertNotNull(raw.getObjectAsBytes(r -> r.bucket(BUCKET).key("clusters/prod/.kubeassume-write-check")),
        "the start-up check left its probe under the prefix");
    assertFalse(stored(snapshot(1, key("x"))), "nothing published before a snapshot is offered");

    SigningKey a = key("a");
    Snapshot first = snapshot(1, a);
    v.offer(first);
    await("revision 1 in the bucket", () -> stored(first));
    GetObjectResponse jwks = raw.getObjectAsBytes(r -> r.bucket(BUCKET).key(JWKS)).response();
    assertEquals("application/jwk-set+json", jwks.contentType());
    assertEquals("public, max-age=300", jwks.cacheControl());
    assertEquals("1", jwks.metadata().get("kubeassume-revision"));
    assertEquals("application/json", raw.getObjectAsBytes(r -> r.bucket(BUCKET).key(DISCOVERY)).response().contentType());

    Snapshot second = snapshot(2, a, key("b"));
    v.offer(second);
    await("revision 2 in the bucket", () -> stored(second));
    await("status says revision 2", () -> v.status().get(0).lastRevision() == 2);
    TargetStatus status = v.status().get(0);
    assertTrue(status.healthy());
    assertEquals("s3://oidc/clusters/prod", status.target());
    assertNotNull(status.lastSuccess());
    assertEquals(0, published("error"));
    assertTrue(published("written") >= 1, "revision 2 differs from 1, so it was written");
    assertTrue(registry.find("kubeassume.last.publish.timestamp").tag("target", LOCATION.toString()).gauge().value() > 0);
    assertEquals(publishes(), registry.find("kubeassume.publish.duration").timer().count());
  }

  @Test
  void aBurstOfSnapshotsCoalescesIntoOnePublishOfTheLatest(Vertx vertx) throws Exception {
    GatedTarget gated = new GatedTarget(target(BUCKET, "secret-key"));
    MirrorVerticle v = deploy(vertx, Duration.ofHours(1), mirror(LOCATION, gated));
    gated.arm();

    SigningKey a = key("a");
    v.offer(snapshot(1, a));
    assertTrue(gated.entered.await(10, TimeUnit.SECONDS), "the first publish started");
    Snapshot last = null;
    for (int r = 2; r <= 10; r++) {
      last = snapshot(r, a, key("k" + r));
      v.offer(last);
    }
    gated.release.countDown();

    Snapshot latest = last;
    await("revision 10 in the bucket", () -> stored(latest));
    await("two publishes recorded", () -> publishes() == 2);
    assertEquals(Set.of(1L, 10L), gated.writtenRevisions, "revisions 2 to 9 were never written");
    // Nothing else is pending: a later look still finds exactly two publishes.
    vertx.timer(200).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(2, publishes());
  }

  @Test
  void aDeletedObjectIsRepairedOnResync(Vertx vertx) throws Exception {
    MirrorVerticle v = deploy(vertx, Duration.ofMillis(200), mirror(LOCATION, target(BUCKET, "secret-key")));
    Snapshot s = snapshot(4, key("a"));
    v.offer(s);
    await("published", () -> stored(s));

    raw.deleteObject(r -> r.bucket(BUCKET).key(JWKS));
    assertFalse(stored(s));

    await("the deleted JWKS is back", () -> stored(s));
    assertEquals("4", raw.getObjectAsBytes(r -> r.bucket(BUCKET).key(JWKS)).response().metadata().get("kubeassume-revision"));
    assertTrue(published("written") >= 1);
    assertEquals(0, published("error"));
  }

  @Test
  void aFailingStoreIsCountedAndReportedAndRecoversWithoutARestart(Vertx vertx) throws Exception {
    MirrorVerticle v = deploy(vertx, Duration.ofHours(1), mirror(LOCATION, target(BUCKET, "secret-key")));
    SigningKey a = key("a");
    Snapshot s = snapshot(1, a);
    v.offer(s);
    await("published", () -> stored(s));
    await("status says revision 1", () -> v.status().get(0).lastRevision() == 1);

    // The bucket goes away under the running mirror; the next document set cannot be published.
    for (String k : List.of(JWKS, DISCOVERY, MirrorCheck.probeKey(LOCATION))) {
      raw.deleteObject(r -> r.bucket(BUCKET).key(k));
    }
    raw.deleteBucket(r -> r.bucket(BUCKET));
    v.offer(snapshot(2, a, key("b")));
    // The status is written after the metrics, so once it shows the error both are in.
    await("an error on the status", () -> "error".equals(v.status().get(0).lastResult()));
    assertTrue(published("error") >= 1, "an error counted");
    TargetStatus failing = v.status().get(0);
    assertFalse(failing.healthy());
    assertEquals("error", failing.lastResult());
    assertTrue(failing.lastError().contains("s3://oidc"), failing.lastError());
    assertEquals(1, failing.consecutiveFailures());
    assertEquals(1, failing.lastRevision(), "the last successful publish is still known");
    assertEquals(1.0, registry.find("kubeassume.publish.errors").counter().count());

    raw.createBucket(r -> r.bucket(BUCKET));
    Snapshot third = snapshot(3, a, key("c"));
    v.offer(third);
    await("published once the bucket is back", () -> stored(third));
    await("healthy again", () -> v.status().get(0).healthy());
    assertEquals(3, v.status().get(0).lastRevision());
    assertEquals(1.0, published("error"));
  }

  @Test
  void startUpFailsNamingTheTargetAndThePermissionWhenTheBucketIsMissing(Vertx vertx) {
    MirrorLocation missing = MirrorLocation.parse("s3://no-such-bucket/p");
    Throwable e = deployFailure(vertx, mirror(missing, target("no-such-bucket", "secret-key")));
    // A missing bucket is an error on the first read, not an empty bucket (so nothing is created in its place).
    assertTrue(e.getMessage().startsWith("--mirror s3://no-such-bucket/p: cannot read p/openid/v1/jwks: "
        + "The specified bucket does not exist"), e.getMessage());
    assertTrue(e.getMessage().contains("check that the bucket exists"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void startUpFailsNamingTheReadPermissionWhenAccessIsDenied(Vertx vertx) {
    Throwable e = deployFailure(vertx, mirror(LOCATION, target(BUCKET, "wrong-secret")));
    assertTrue(e.getMessage().startsWith("--mirror s3://oidc/clusters/prod: cannot read clusters/prod/openid/v1/jwks: "),
        e.getMessage());
    // A 403 on a first start is often the missing ListBucket (S3 then hides "no such key"), so name both.
    assertTrue(e.getMessage().contains("s3:GetObject and s3:ListBucket"), e.getMessage());
  }

  private Throwable deployFailure(Vertx vertx, MirrorVerticle.Mirror m) {
    try {
      vertx.deployVerticle(new MirrorVerticle(List.of(m), Duration.ofHours(1), registry))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("deployment should have failed");
  }

  /** Once armed, the first read blocks until released; records the revisions written. */
  private static final class GatedTarget implements MirrorTarget {
    final MirrorTarget delegate;
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final Set<Long> writtenRevisions = new ConcurrentSkipListSet<>();
    volatile boolean armed;

    GatedTarget(MirrorTarget delegate) {
      this.delegate = delegate;
    }

    void arm() {
      armed = true;
    }

    @Override
    public StoredObject read(String key) {
      if (armed && entered.getCount() > 0) {
        entered.countDown();
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return delegate.read(key);
    }

    @Override
    public void write(String key, byte[] body, String contentType, String cacheControl, long revision, Precondition pre)
        throws PreconditionFailedException {
      if (armed) {
        writtenRevisions.add(revision);
      }
      delegate.write(key, body, contentType, cacheControl, revision, pre);
    }

    @Override
    public String describe() {
      return delegate.describe();
    }
  }
}
