package io.kubeassume.mirror;

import static io.kubeassume.mirror.Snapshots.key;
import static io.kubeassume.mirror.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kubeassume.document.Snapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * How the verticle reports what a publisher that is not a bucket says: keys left out (GCP's 8-key limit) and
 * writes left to another replica (standby). A scripted publisher; conditions are awaited with a deadline.
 */
@ExtendWith(VertxExtension.class)
class MirrorVerticleResultsTest {
  private static final MirrorLocation LOCATION = MirrorLocation.parse(
      "gcp-wif://projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a");
  private static final Duration WITHIN = Duration.ofSeconds(15);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** Answers each publish with the next scripted result (or throws it), and records the revisions asked for. */
  private static final class Scripted implements SnapshotPublisher {
    final BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    final BlockingQueue<Long> asked = new LinkedBlockingQueue<>();

    @Override
    public void check() {}

    @Override
    public PublishResult publish(Snapshot snapshot) throws InterruptedException {
      asked.add(snapshot.revision());
      Object a = answers.poll(10, TimeUnit.SECONDS);
      if (a instanceof RuntimeException e) {
        throw e;
      }
      if (a == null) {
        throw new MirrorException("no scripted answer");
      }
      return (PublishResult) a;
    }

    @Override
    public String describe() {
      return "the uploaded JWKS";
    }
  }

  private static PublishResult result(long revision, ObjectOutcome jwks, List<String> leftOut) {
    return new PublishResult(LOCATION.toString(), revision, jwks, ObjectOutcome.NONE, 0, leftOut);
  }

  private MirrorVerticle deploy(Vertx vertx, Scripted p) throws Exception {
    MirrorVerticle v = new MirrorVerticle(List.of(new MirrorVerticle.Mirror(LOCATION, p)), Duration.ofHours(1), registry);
    vertx.deployVerticle(v).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    return v;
  }

  private double published(String result) {
    Counter c = registry.find("kubeassume.publish").tag("target", LOCATION.toString()).tag("result", result).counter();
    return c == null ? 0 : c.count();
  }

  private Gauge leftOutGauge() {
    return registry.find("kubeassume.publish.left.out.keys").tag("target", LOCATION.toString()).gauge();
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
  void keysLeftOutAreShownAndCountedUntilEveryKeyFitsAgain(Vertx vertx) throws Exception {
    Scripted p = new Scripted();
    MirrorVerticle v = deploy(vertx, p);
    assertNull(leftOutGauge(), "no series before a key was ever left out");

    p.answers.add(result(9, ObjectOutcome.WRITTEN, List.of("old-1", "old-2")));
    v.offer(snapshot(9, key("a")));
    await("the left-out keys on the status", () -> v.status().get(0).leftOut().equals(List.of("old-1", "old-2")));
    TargetStatus s = v.status().get(0);
    assertEquals("written", s.lastResult());
    assertTrue(s.healthy());
    assertEquals(2.0, leftOutGauge().value());

    p.answers.add(result(10, ObjectOutcome.WRITTEN, List.of()));
    v.offer(snapshot(10, key("a")));
    await("every key held again", () -> v.status().get(0).lastRevision() == 10);
    assertEquals(List.of(), v.status().get(0).leftOut());
    assertEquals(0.0, leftOutGauge().value());
    assertEquals(2.0, published("written"));
  }

  @Test
  void aWriteLeftToTheLeaderIsAHealthyStandbyAndAnErrorKeepsTheLeftOutKeys(Vertx vertx) throws Exception {
    Scripted p = new Scripted();
    MirrorVerticle v = deploy(vertx, p);

    p.answers.add(result(3, ObjectOutcome.DEFERRED, List.of("old")));
    v.offer(snapshot(3, key("a")));
    // The status is written after the metrics (MirrorVerticle), so once it shows the result both are in.
    await("a standby result", () -> "standby".equals(v.status().get(0).lastResult()));
    TargetStatus s = v.status().get(0);
    assertEquals("standby", s.lastResult());
    assertTrue(s.healthy(), "standing by is not a failure: " + s);
    assertEquals(1.0, published("standby"));
    assertEquals(0.0, published("written") + published("unchanged") + published("error"));

    p.answers.add(new MirrorException("IAM down"));
    v.offer(snapshot(4, key("a")));
    await("the error", () -> "error".equals(v.status().get(0).lastResult()));
    s = v.status().get(0);
    assertEquals("error", s.lastResult());
    assertEquals("IAM down", s.lastError());
    assertEquals(1.0, published("error"));
    assertEquals(List.of("old"), s.leftOut(), "what the target holds did not change with a failed publish");
    assertEquals(1.0, registry.find("kubeassume.publish.errors").counter().count());
  }
}
