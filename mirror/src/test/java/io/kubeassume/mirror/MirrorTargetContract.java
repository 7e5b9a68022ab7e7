package io.kubeassume.mirror;

import static io.kubeassume.mirror.Snapshots.key;
import static io.kubeassume.mirror.Snapshots.rsaKey;
import static io.kubeassume.mirror.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.document.Document;
import io.kubeassume.document.Snapshot;
import io.kubeassume.keys.SigningKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MirrorTarget} must do, run against a real store (emulator or local fake) through
 * the target's real SDK. A store's test extends this class and implements the three hooks; each test
 * method expects an empty bucket (a fresh emulator or fake per test is simplest).
 *
 * <ul>
 *   <li>{@link #newTarget()}: a new target on the bucket under test. Called several times in one test
 *       (the race test gives every publisher its own, like separate replicas); targets that are
 *       {@link AutoCloseable} are closed after the test.
 *   <li>{@link #readRaw(String)}: the object as stored, read around the target (raw SDK client or the
 *       fake's own state), or {@code null}.
 *   <li>{@link #deleteRaw(String)}: deletes an object around the target.
 * </ul>
 *
 * Foreign writers are simulated with a second target writing under the same protocol, so no raw
 * write hook is needed.
 */
public abstract class MirrorTargetContract {
  protected static final String PREFIX = "clusters/prod";
  protected static final String JWKS = "clusters/prod/openid/v1/jwks";
  protected static final String DISCOVERY = "clusters/prod/.well-known/openid-configuration";
  protected static final String CACHE_CONTROL = "public, max-age=300";

  /**
   * An object as the store holds it.
   *
   * @param revision the value of the target's revision metadata, as stored ({@code null} if absent)
   */
  public record RawObject(byte[] body, String contentType, String cacheControl, String revision) {
    public RawObject {
      Objects.requireNonNull(body, "body");
    }
  }

  /** A new target on the bucket under test. */
  protected abstract MirrorTarget newTarget() throws Exception;

  /** The object under {@code key} as stored, or {@code null} if there is none. */
  protected abstract RawObject readRaw(String key) throws Exception;

  /** Deletes the object under {@code key}, bypassing the target. */
  protected abstract void deleteRaw(String key) throws Exception;

  private final List<MirrorTarget> created = Collections.synchronizedList(new ArrayList<>());

  /** {@link #newTarget()}, remembered so it is closed after the test. */
  protected final MirrorTarget target() throws Exception {
    MirrorTarget t = Objects.requireNonNull(newTarget(), "newTarget()");
    created.add(t);
    return t;
  }

  @AfterEach
  void closeTargets() throws Exception {
    for (MirrorTarget t : created) {
      if (t instanceof AutoCloseable c) {
        c.close();
      }
    }
    created.clear();
  }

  protected static DocumentPublisher publisher(MirrorTarget t) {
    // No pause between attempts: nothing here depends on timing.
    return new DocumentPublisher(t, PREFIX, Duration.ofSeconds(300), 5, Duration.ZERO, d -> {});
  }

  protected final void assertStored(String key, Document doc, long revision) throws Exception {
    RawObject raw = readRaw(key);
    assertNotNull(raw, key + " is missing");
    assertArrayEquals(doc.bytes(), raw.body(), key);
    assertEquals(doc.contentType(), raw.contentType(), key + " content type");
    assertEquals(CACHE_CONTROL, raw.cacheControl(), key + " cache control");
    assertEquals(Long.toString(revision), raw.revision(), key + " revision metadata");
  }

  protected final void assertStored(Snapshot s) throws Exception {
    assertStored(JWKS, s.jwks(), s.revision());
    assertStored(DISCOVERY, s.discovery(), s.revision());
  }

  @Test
  void firstPublishCreatesBothObjects() throws Exception {
    MirrorTarget target = target();
    Snapshot s = snapshot(1, key("a"));

    PublishResult r = publisher(target).publish(s);

    assertEquals(new PublishResult(target.describe(), 1, ObjectOutcome.WRITTEN, ObjectOutcome.WRITTEN, 0), r);
    assertStored(s);
    StoredObject read = target.read(JWKS);
    assertEquals(1, read.revision());
    assertTrue(read.hasSameBytesAs(s.jwks().bytes()));
    assertFalse(read.token().isEmpty());
  }

  @Test
  void readOfAMissingObjectIsNull() throws Exception {
    assertNull(target().read("nothing/here"));
  }

  @Test
  void identicalContentWritesNothing() throws Exception {
    MirrorTarget target = target();
    Snapshot s = snapshot(1, key("a"));
    publisher(target).publish(s);
    String jwksToken = target.read(JWKS).token();
    String discoveryToken = target.read(DISCOVERY).token();
    CountingTarget counting = new CountingTarget(target);

    PublishResult r = publisher(counting).publish(s);

    assertTrue(r.unchanged());
    assertFalse(r.wroteAnything());
    assertEquals(0, counting.writes.get());
    assertEquals(jwksToken, target.read(JWKS).token());
    assertEquals(discoveryToken, target.read(DISCOVERY).token());
    assertStored(s);
  }

  @Test
  void rotationReplacesBothObjects() throws Exception {
    MirrorTarget target = target();
    SigningKey a = key("a");
    Snapshot first = snapshot(1, a);
    // The RSA key adds RS256 to the discovery document, so both objects change.
    Snapshot second = snapshot(2, a, rsaKey("b"));
    publisher(target).publish(first);
    String oldToken = target.read(JWKS).token();

    PublishResult r = publisher(target).publish(second);

    assertEquals(new PublishResult(target.describe(), 2, ObjectOutcome.WRITTEN, ObjectOutcome.WRITTEN, 0), r);
    assertNotEquals(oldToken, target.read(JWKS).token());
    assertStored(second);
    assertTrue(second.jwks().asString().contains("\"kid\":\"b\""));
  }

  @Test
  void olderSnapshotIsSupersededAndLeavesTheNewerBytes() throws Exception {
    MirrorTarget target = target();
    SigningKey a = key("a");
    Snapshot older = snapshot(1, a);
    Snapshot newer = snapshot(2, a, rsaKey("b"));
    publisher(target).publish(newer);
    String token = target.read(JWKS).token();

    PublishResult r = publisher(target).publish(older);

    assertEquals(ObjectOutcome.SUPERSEDED, r.jwks());
    assertEquals(ObjectOutcome.SKIPPED, r.discovery());
    assertFalse(r.wroteAnything());
    assertEquals(token, target.read(JWKS).token());
    assertStored(newer);
  }

  @Test
  void olderForeignWriteBetweenReadAndWriteIsDetectedAndReplaced() throws Exception {
    MirrorTarget target = target();
    Snapshot ours = snapshot(3, key("a"));
    Snapshot foreign = snapshot(1, rsaKey("z"));
    ForeignWriteTarget racing = new ForeignWriteTarget(target, target(), foreign);

    PublishResult r = publisher(racing).publish(ours);

    assertEquals(2, racing.foreignWrites.get(), "one foreign write before each of our first writes");
    assertEquals(2, r.lostRaces());
    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertEquals(ObjectOutcome.WRITTEN, r.discovery());
    assertStored(ours);
  }

  @Test
  void olderForeignReplaceBetweenReadAndReplaceIsDetectedAndReplaced() throws Exception {
    MirrorTarget target = target();
    publisher(target).publish(snapshot(1, key("a")));
    // Both objects change (RS256 joins the discovery document), so both are replaced with a token.
    Snapshot ours = snapshot(5, key("a"), rsaKey("b"));
    Snapshot foreign = snapshot(2, rsaKey("z"));
    ForeignWriteTarget racing = new ForeignWriteTarget(target, target(), foreign);

    PublishResult r = publisher(racing).publish(ours);

    assertEquals(2, racing.foreignWrites.get(), "one foreign replace before each of our first replaces");
    assertEquals(2, r.lostRaces(), "the store refused both replaces with the token read before the foreign write");
    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertEquals(ObjectOutcome.WRITTEN, r.discovery());
    assertStored(ours);
  }

  @Test
  void newerForeignWriteBetweenReadAndWriteWins() throws Exception {
    MirrorTarget target = target();
    Snapshot ours = snapshot(3, key("a"));
    Snapshot foreign = snapshot(4, rsaKey("z"));
    ForeignWriteTarget racing = new ForeignWriteTarget(target, target(), foreign);

    PublishResult r = publisher(racing).publish(ours);

    assertEquals(1, racing.foreignWrites.get());
    assertEquals(1, r.lostRaces());
    assertEquals(ObjectOutcome.SUPERSEDED, r.jwks());
    assertEquals(ObjectOutcome.SKIPPED, r.discovery());
    assertStored(JWKS, foreign.jwks(), 4);
    assertNull(readRaw(DISCOVERY), "the discovery document of a superseded publish is not written");
  }

  @Test
  void theStoreEnforcesBothPreconditions() throws Exception {
    MirrorTarget target = target();
    byte[] one = "one".getBytes(StandardCharsets.UTF_8);
    byte[] two = "two".getBytes(StandardCharsets.UTF_8);
    target.write("k", one, "text/plain", CACHE_CONTROL, 1, Precondition.createOnly());
    String first = target.read("k").token();

    assertThrows(PreconditionFailedException.class,
        () -> target.write("k", two, "text/plain", CACHE_CONTROL, 2, Precondition.createOnly()));
    target.write("k", two, "text/plain", CACHE_CONTROL, 2, Precondition.replacing(first));
    assertThrows(PreconditionFailedException.class,
        () -> target.write("k", one, "text/plain", CACHE_CONTROL, 3, Precondition.replacing(first)),
        "a stale token is refused");

    StoredObject now = target.read("k");
    assertNotEquals(first, now.token());
    assertEquals(2, now.revision());
    assertTrue(now.hasSameBytesAs(two));
    RawObject raw = readRaw("k");
    assertArrayEquals(two, raw.body());
    assertEquals("text/plain", raw.contentType());
    assertEquals("2", raw.revision());

    deleteRaw("k");
    assertThrows(PreconditionFailedException.class,
        () -> target.write("k", one, "text/plain", CACHE_CONTROL, 3, Precondition.replacing(now.token())),
        "replacing an object that is gone is refused like any other stale token");
    assertNull(readRaw("k"));
  }

  @Test
  void deletedObjectIsRepairedByPublishingAgain() throws Exception {
    MirrorTarget target = target();
    Snapshot s = snapshot(5, key("a"));
    publisher(target).publish(s);
    deleteRaw(JWKS);
    assertNull(target.read(JWKS));

    PublishResult r = publisher(target).publish(s);

    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertEquals(ObjectOutcome.UNCHANGED, r.discovery());
    assertStored(s);
  }

  /**
   * Three publishers (own targets, own threads, like three replicas): two publish revision 2, one
   * revision 3. All three read before any writes (a barrier in read), so all three try to create
   * and the store must refuse two of them. The end state must be revision 3 for both objects, and
   * the store's write history must never step back to an older revision.
   *
   * <p>Conditional writes are ordered by one lock across the three targets. The preconditions are
   * still evaluated by the store itself; the lock stands in for the atomic compare-and-swap that
   * S3, GCS, Azure and OCI perform server-side but some emulators (S3Proxy) do not, so the test
   * checks the protocol, not the emulator's atomicity.
   */
  @Test
  void racingPublishersEndWithTheNewestRevision() throws Exception {
    Snapshot older = snapshot(2, key("a"));
    Snapshot newer = snapshot(3, key("a"), rsaKey("b"));
    List<Snapshot> wanted = List.of(older, newer, older);
    CyclicBarrier firstReads = new CyclicBarrier(wanted.size());
    ReentrantLock storeOrder = new ReentrantLock();
    List<String> history = Collections.synchronizedList(new ArrayList<>());

    ExecutorService pool = Executors.newFixedThreadPool(wanted.size());
    try {
      List<Future<PublishResult>> results = new ArrayList<>();
      for (Snapshot s : wanted) {
        RacingTarget t = new RacingTarget(target(), firstReads, storeOrder, history);
        DocumentPublisher p = new DocumentPublisher(t, PREFIX, Duration.ofSeconds(300), 10, Duration.ZERO, d -> {});
        results.add(pool.submit(() -> p.publish(s)));
      }
      int lostRaces = 0;
      for (int i = 0; i < wanted.size(); i++) {
        PublishResult r = results.get(i).get(60, TimeUnit.SECONDS);
        lostRaces += r.lostRaces();
        if (wanted.get(i) == newer) {
          assertEquals(ObjectOutcome.WRITTEN, r.jwks(), "only the newest publisher has its bytes: " + r);
        }
      }
      assertTrue(lostRaces >= 2, "all three read before writing, so two creates were refused: " + lostRaces);
    } finally {
      pool.shutdownNow();
    }

    assertStored(newer);
    for (String key : List.of(JWKS, DISCOVERY)) {
      long last = -1;
      for (String entry : history) {
        if (entry.startsWith(key + "@")) {
          long rev = Long.parseLong(entry.substring(key.length() + 1));
          assertTrue(rev >= last, "revision went back from " + last + " to " + rev + " in " + history);
          last = rev;
        }
      }
      assertEquals(3, last, key + " history " + history);
    }
  }

  /** Counts writes, delegates everything. */
  protected static final class CountingTarget implements MirrorTarget {
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

  /**
   * Before our first write of each object (after our read), a foreign writer (another target on the
   * same bucket, playing another replica) publishes {@code foreign}'s version of that object.
   */
  protected static final class ForeignWriteTarget implements MirrorTarget {
    final MirrorTarget delegate;
    final MirrorTarget foreignWriter;
    final Snapshot foreign;
    final List<String> raced = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger foreignWrites = new AtomicInteger();

    ForeignWriteTarget(MirrorTarget delegate, MirrorTarget foreignWriter, Snapshot foreign) {
      this.delegate = delegate;
      this.foreignWriter = foreignWriter;
      this.foreign = foreign;
    }

    @Override
    public StoredObject read(String key) {
      return delegate.read(key);
    }

    @Override
    public void write(String key, byte[] body, String contentType, String cacheControl, long revision, Precondition pre)
        throws PreconditionFailedException {
      if (!raced.contains(key)) {
        raced.add(key);
        Document doc = key.endsWith("jwks") ? foreign.jwks() : foreign.discovery();
        StoredObject current = foreignWriter.read(key);
        foreignWriter.write(key, doc.bytes(), doc.contentType(), cacheControl, foreign.revision(),
            current == null ? Precondition.createOnly() : Precondition.replacing(current.token()));
        foreignWrites.incrementAndGet();
      }
      delegate.write(key, body, contentType, cacheControl, revision, pre);
    }

    @Override
    public String describe() {
      return delegate.describe();
    }
  }

  /** See {@link #racingPublishersEndWithTheNewestRevision()}: a barrier on the first read, one order for writes, a write log. */
  private static final class RacingTarget implements MirrorTarget {
    final MirrorTarget delegate;
    final CyclicBarrier firstReads;
    final ReentrantLock storeOrder;
    final List<String> history;
    boolean waited;

    RacingTarget(MirrorTarget delegate, CyclicBarrier firstReads, ReentrantLock storeOrder, List<String> history) {
      this.delegate = delegate;
      this.firstReads = firstReads;
      this.storeOrder = storeOrder;
      this.history = history;
    }

    @Override
    public StoredObject read(String key) {
      StoredObject o = delegate.read(key);
      if (!waited) {
        waited = true;
        try {
          firstReads.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException("racing publishers did not all read", e);
        }
      }
      return o;
    }

    @Override
    public void write(String key, byte[] body, String contentType, String cacheControl, long revision, Precondition pre)
        throws PreconditionFailedException {
      storeOrder.lock();
      try {
        delegate.write(key, body, contentType, cacheControl, revision, pre);
        history.add(key + "@" + revision);
      } finally {
        storeOrder.unlock();
      }
    }

    @Override
    public String describe() {
      return delegate.describe();
    }
  }
}
