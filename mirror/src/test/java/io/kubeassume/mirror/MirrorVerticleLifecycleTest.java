package io.kubeassume.mirror;

import static io.kubeassume.mirror.Snapshots.key;
import static io.kubeassume.mirror.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * When the verticle closes its targets: never while a start-up check or a publish still uses one.
 * In-memory targets; the blocking points are latches, no assertion is on timing.
 */
@ExtendWith(VertxExtension.class)
class MirrorVerticleLifecycleTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** A target whose reads can be held until released or closed; records a close during a read. */
  private static final class HeldTarget implements MirrorTarget, AutoCloseable {
    final DocumentPublisherTest.MemoryTarget store = new DocumentPublisherTest.MemoryTarget();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final String failWith;
    volatile boolean hold;
    volatile boolean reading;
    volatile boolean closedWhileReading;
    volatile boolean closed;

    HeldTarget(String failWith) {
      this.failWith = failWith;
    }

    @Override
    public StoredObject read(String key) {
      if (hold) {
        reading = true;
        entered.countDown();
        try {
          release.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          reading = false;
        }
      }
      if (failWith != null) {
        throw new MirrorException(failWith);
      }
      return store.read(key);
    }

    @Override
    public void write(String key, byte[] body, String contentType, String cacheControl, long revision, Precondition pre)
        throws PreconditionFailedException {
      store.write(key, body, contentType, cacheControl, revision, pre);
    }

    @Override
    public String describe() {
      return store.describe();
    }

    @Override
    public void close() {
      closedWhileReading |= reading;
      closed = true;
      release.countDown();
    }
  }

  private static MirrorVerticle.Mirror mirror(String uri, MirrorTarget target) {
    MirrorLocation location = MirrorLocation.parse(uri);
    return new MirrorVerticle.Mirror(location, target,
        new DocumentPublisher(target, location.keyPrefix(), Duration.ofMinutes(5), 1, Duration.ZERO, d -> { }));
  }

  @Test
  void aFailedCheckWaitsForTheOtherChecksAndReportsTheFirstMirrorInOrder(Vertx vertx) throws Exception {
    HeldTarget slow = new HeldTarget("first store down");
    slow.hold = true;
    HeldTarget fast = new HeldTarget("second store down");
    MirrorVerticle v = new MirrorVerticle(List.of(mirror("s3://first/p", slow), mirror("s3://second/p", fast)),
        Duration.ofHours(1), registry);

    Throwable cause;
    try {
      vertx.deployVerticle(v).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      throw new AssertionError("deployment should have failed");
    } catch (ExecutionException e) {
      cause = e.getCause();
    }
    // The second check failed at once; the first one's client must not be closed under it.
    assertFalse(slow.closedWhileReading, "a target was closed while its start-up check was still reading");
    assertTrue(cause.getMessage().startsWith("--mirror s3://first/p: cannot read p/openid/v1/jwks: first store down"),
        cause.getMessage());
    assertTrue(slow.closed && fast.closed, "both targets closed after the failed start");
  }

  @Test
  void undeployWaitsForTheRunningPublishBeforeClosingTheTarget(Vertx vertx) throws Exception {
    HeldTarget target = new HeldTarget(null);
    MirrorVerticle v = new MirrorVerticle(List.of(mirror("s3://oidc/p", target)), Duration.ofHours(1), registry);
    String id = vertx.deployVerticle(v).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);

    target.hold = true;
    v.offer(snapshot(1, key("a")));
    assertTrue(target.entered.await(10, TimeUnit.SECONDS), "publish started");
    Counter errors = registry.find("kubeassume.publish.errors").counter();
    // Nothing releases the held read but its own time-out (or, wrongly, closing the target).
    vertx.undeploy(id).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);

    assertFalse(target.closedWhileReading, "the target was closed under a running publish");
    assertTrue(target.closed, "the target is closed once the publish is done");
    assertEquals(0.0, errors.count(), "the publish that was running when stopping did not fail");
    assertNull(registry.find("kubeassume.publish.errors").counter(), "a stopped mirror's series are removed");
  }

  /** A last publish that failed (an unreachable store) was already counted and logged; undeploying still succeeds. */
  @Test
  void undeploySucceedsAfterAFailedPublish(Vertx vertx) throws Exception {
    HeldTarget target = new HeldTarget(null);
    FailingAfterStart goesAway = new FailingAfterStart(target);
    MirrorVerticle v = new MirrorVerticle(List.of(mirror("s3://oidc/p", goesAway)), Duration.ofHours(1), registry);
    String id = vertx.deployVerticle(v).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    goesAway.failing = true;
    v.offer(snapshot(1, key("a")));
    Counter errors = registry.find("kubeassume.publish.errors").counter();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (errors.count() < 1 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(1.0, errors.count(), "the publish failed");
    vertx.undeploy(id).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertTrue(target.closed, "the target is closed");
  }

  /** Answers the start-up check, then (once failing) fails every read, as a store that went away. */
  private static final class FailingAfterStart implements MirrorTarget, AutoCloseable {
    private final HeldTarget target;
    volatile boolean failing;

    FailingAfterStart(HeldTarget target) {
      this.target = target;
    }

    @Override
    public StoredObject read(String key) {
      if (failing) {
        throw new MirrorException("the bucket went away");
      }
      return target.read(key);
    }

    @Override
    public void write(String key, byte[] body, String contentType, String cacheControl, long revision, Precondition pre)
        throws PreconditionFailedException {
      target.write(key, body, contentType, cacheControl, revision, pre);
    }

    @Override
    public String describe() {
      return target.describe();
    }

    @Override
    public void close() {
      target.close();
    }
  }
}
