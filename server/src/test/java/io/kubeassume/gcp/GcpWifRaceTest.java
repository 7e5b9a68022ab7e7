package io.kubeassume.gcp;

import static io.kubeassume.gcp.GcpWifFixture.ISSUER;
import static io.kubeassume.gcp.GcpWifFixture.NAME;
import static io.kubeassume.gcp.GcpWifFixture.publisher;
import static io.kubeassume.gcp.GcpWifFixture.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kubeassume.document.Snapshot;
import io.kubeassume.mirror.ObjectOutcome;
import io.kubeassume.mirror.PublishResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Replicas publishing different revisions to one provider at the same time, each on its own HTTP client and
 * thread, against {@link FakeIam} (which, like IAM, has no conditional update: the last PATCH wins).
 *
 * <p>The rule under test: a replica that is behind never replaces a newer key set with an older one. It holds
 * because only the replica whose turn it is writes (production: the Lease holder), a turn starts only after the
 * previous writer's publish has ended (production: a new leader takes the Lease only after the old one's term
 * has lapsed), and every writer reads the provider's recorded revision before it writes. The control test shows
 * the fake would let a regression through without that single writer, so the first test is not vacuous.
 */
class GcpWifRaceTest {
  static final Duration WITHIN = Duration.ofSeconds(60);

  FakeIam iam;

  @BeforeEach
  void start() throws Exception {
    iam = new FakeIam();
    iam.addProvider(NAME, ISSUER.value());
    iam.pollsUntilDone = 2;
  }

  @AfterEach
  void stop() {
    iam.close();
  }

  /** One replica: publishes its current snapshot over and over (changes, resyncs) until stopped. */
  private static final class Replica implements Runnable {
    final String name;
    final AtomicReference<Snapshot> snapshot;
    final GcpWifPublisher publisher;
    final AtomicBoolean busy = new AtomicBoolean();
    final AtomicInteger completed = new AtomicInteger();
    final List<PublishResult> results = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    volatile boolean stop;

    Replica(String name, Snapshot snapshot, FakeIam iam, AtomicReference<String> leader) {
      this.name = name;
      this.snapshot = new AtomicReference<>(snapshot);
      BooleanSupplier writes = () -> name.equals(leader.get());
      this.publisher = publisher(iam, writes);
    }

    @Override
    public void run() {
      while (!stop) {
        busy.set(true);
        try {
          results.add(publisher.publish(snapshot.get()));
        } catch (Throwable t) {
          error.compareAndSet(null, t);
          return;
        } finally {
          busy.set(false);
          completed.incrementAndGet();
        }
        try {
          Thread.sleep(ThreadLocalRandom.current().nextInt(3));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WITHIN.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + WITHIN.toSeconds() + " s: " + what);
      }
      Thread.sleep(2);
    }
  }

  @Test
  void replicasRacingThroughLeadershipChangesEndOnTheNewestWithNoRegressionInBetween() throws Exception {
    // Shuffle the interleaving of the replicas' requests a little.
    iam.beforeHandle = r -> {
      try {
        Thread.sleep(ThreadLocalRandom.current().nextInt(3));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    Snapshot older = snapshot(2, "a");
    Snapshot newer = snapshot(3, "a", "b");
    AtomicReference<String> leader = new AtomicReference<>();
    Map<String, Replica> replicas = new ConcurrentHashMap<>();
    replicas.put("A", new Replica("A", older, iam, leader));
    replicas.put("B", new Replica("B", newer, iam, leader));
    replicas.put("C", new Replica("C", older, iam, leader));
    ExecutorService pool = Executors.newFixedThreadPool(replicas.size());
    try {
      List<Future<?>> running = new ArrayList<>();
      replicas.values().forEach(r -> running.add(pool.submit(r)));
      // C catches up with the newest revision after its first term, as a lagging watch does.
      List<String> terms = List.of("A", "B", "A", "C", "B", "A", "C*", "A", "C");
      String previous = null;
      for (String term : terms) {
        String who = term.substring(0, 1);
        if (previous != null) {
          Replica last = replicas.get(previous);
          leader.set(null);
          await("the end of " + previous + "'s last publish in its term", () -> !last.busy.get());
        }
        Replica next = replicas.get(who);
        if (term.endsWith("*")) {
          next.snapshot.set(newer);
        }
        int before = next.completed.get();
        leader.set(who);
        // Two completed publishes: at least one began and decided inside this term.
        await(who + " publishes in its term", () -> next.completed.get() >= before + 2 || next.error.get() != null);
        previous = who;
      }
      leader.set(null);
      replicas.values().forEach(r -> r.stop = true);
      for (Future<?> f : running) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (Replica r : replicas.values()) {
      if (r.error.get() != null) {
        throw new AssertionError("replica " + r.name + " failed", r.error.get());
      }
    }

    List<Long> history = iam.writes.stream().map(FakeIam.Write::revision).toList();
    assertTrue(history.contains(2L) && history.contains(3L), "both revisions were written in their turns: " + history);
    for (int i = 1; i < history.size(); i++) {
      assertTrue(history.get(i) >= history.get(i - 1), "the provider went back from revision " + history.get(i - 1)
          + " to " + history.get(i) + ": " + history);
    }
    assertEquals(3, ProviderRevision.of(iam.provider(NAME).getString("description")));
    assertEquals(Set.of("a", "b"), UploadedJwks.kids(iam.uploaded(NAME)));
    long supersededOlder = replicas.get("A").results.stream().filter(r -> r.jwks() == ObjectOutcome.SUPERSEDED).count();
    assertTrue(supersededOlder > 0, "A, behind, found the newer revision and left it: " + replicas.get("A").results);
  }

  /**
   * Without one writer, two replicas that both read before either writes can let the older PATCH land last: IAM
   * (and this fake) cannot refuse it. The newer replica's next publish repairs it, but the regression happened.
   */
  @Test
  void withoutASingleWriterIamCannotStopAnOlderWriteLandingLast() throws Exception {
    CyclicBarrier bothRead = new CyclicBarrier(2);
    AtomicInteger firstReads = new AtomicInteger();
    CountDownLatch newerWritten = new CountDownLatch(1);
    iam.beforeHandle = r -> {
      try {
        if (r.method().equals("GET") && !r.pathAndQuery().contains("/operations/") && firstReads.incrementAndGet() <= 2) {
          bothRead.await(10, TimeUnit.SECONDS);
        }
        if (r.method().equals("PATCH") && r.body().contains("kubeassume-revision=2]")) {
          newerWritten.await(10, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    GcpWifPublisher older = publisher(iam, () -> true);
    GcpWifPublisher newer = publisher(iam, () -> true);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<PublishResult> a = pool.submit(() -> older.publish(snapshot(2, "a")));
      Future<PublishResult> b = pool.submit(() -> newer.publish(snapshot(3, "a", "b")));
      assertEquals(ObjectOutcome.WRITTEN, b.get(30, TimeUnit.SECONDS).jwks());
      newerWritten.countDown();
      assertEquals(ObjectOutcome.WRITTEN, a.get(30, TimeUnit.SECONDS).jwks());
    } finally {
      pool.shutdownNow();
    }
    assertEquals(List.of(3L, 2L), iam.writes.stream().map(FakeIam.Write::revision).toList(), "the regression");

    iam.beforeHandle = r -> { };
    assertEquals(ObjectOutcome.WRITTEN, newer.publish(snapshot(3, "a", "b")).jwks(), "the newer replica repairs it");
    assertEquals(3, ProviderRevision.of(iam.provider(NAME).getString("description")));
  }
}
