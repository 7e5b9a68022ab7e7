package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The leader's sync loop when it will not start: retried with backoff, then the Lease is given up. */
class LeaderRoleTest {
  final Vertx vertx = Vertx.vertx();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final AtomicInteger started = new AtomicInteger();
  final List<String> resignations = new CopyOnWriteArrayList<>();

  final List<LeaderRole> roles = new CopyOnWriteArrayList<>();

  LeaderRole track(LeaderRole role) {
    roles.add(role);
    return role;
  }

  /** As the server does: the role's loop is undeployed before Vert.x closes, so the two undeploys never race. */
  @AfterEach
  void close() throws Exception {
    for (LeaderRole role : roles) {
      role.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A loop factory that throws the first {@code failures} times, then builds a loop that counts its starts. */
  Deployable loopFailing(AtomicInteger calls, int failures) {
    if (calls.incrementAndGet() <= failures) {
      throw new IllegalStateException("key directory not mounted (call " + calls.get() + ")");
    }
    return new VerticleBase() {
      @Override
      public Future<?> start() {
        started.incrementAndGet();
        return Future.succeededFuture();
      }
    };
  }

  double count(String name) {
    return registry.get(name).counter().count();
  }

  @Test
  void aLoopThatFailsToStartIsRetriedUntilItRuns() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    LeaderRole role = track(new LeaderRole(vertx, () -> loopFailing(calls, 2), Duration.ofMillis(20), registry));
    role.startedLeading(resignations::add);

    TestServer.await(Duration.ofSeconds(10), "the loop runs after two failed starts", () -> started.get() == 1);
    assertEquals(3, calls.get());
    assertEquals(2.0, count("kubeassume.sync.loop.start.failures"));
    assertEquals(1.0, registry.get("kubeassume.sync.loop.running").gauge().value());
    assertTrue(role.status().getBoolean("running"), role.status().encode());
    assertEquals(0, role.status().getInteger("startFailures"), "the term's failures are cleared once it runs");
    assertTrue(resignations.isEmpty(), "no resignation while a retry can still succeed");

    role.stoppedLeading();
    TestServer.await(Duration.ofSeconds(10), "stopped with leadership", () -> !role.status().getBoolean("running"));
    assertEquals(0.0, registry.get("kubeassume.sync.loop.running").gauge().value());
  }

  @Test
  void aLoopThatNeverStartsGivesTheLeaseUpAfterTheLastAttempt() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    LeaderRole role = track(new LeaderRole(vertx, () -> loopFailing(calls, Integer.MAX_VALUE), Duration.ofMillis(20), registry));
    role.startedLeading(resignations::add);

    TestServer.await(Duration.ofSeconds(10), "resigned", () -> !resignations.isEmpty());
    assertEquals(LeaderRole.START_ATTEMPTS, calls.get());
    assertEquals(1, resignations.size());
    assertTrue(resignations.get(0).contains("key directory not mounted"), resignations.get(0));
    assertEquals(1.0, count("kubeassume.leader.resignations"));
    assertEquals(LeaderRole.START_ATTEMPTS, count("kubeassume.sync.loop.start.failures"));
    assertFalse(role.status().getBoolean("running"));
    assertEquals(LeaderRole.START_ATTEMPTS, role.status().getInteger("startFailures"));
    assertTrue(role.status().getJsonObject("lastError").getString("message").contains("not mounted"));
    assertEquals(0, started.get());

    // A later term (the Lease came back: nobody else could lead) tries afresh.
    role.stoppedLeading();
    role.startedLeading(resignations::add);
    TestServer.await(Duration.ofSeconds(10), "resigned again", () -> resignations.size() == 2);
    assertEquals(2L * LeaderRole.START_ATTEMPTS, calls.get());
  }

  @Test
  void losingLeadershipCancelsThePendingRetry() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    LeaderRole role = track(new LeaderRole(vertx, () -> loopFailing(calls, Integer.MAX_VALUE), Duration.ofMillis(300), registry));
    role.startedLeading(resignations::add);
    TestServer.await(Duration.ofSeconds(10), "first attempt failed", () -> calls.get() == 1);
    role.stoppedLeading();
    role.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Thread.sleep(1000); // past the retry delays: nothing more may run
    assertEquals(1, calls.get(), "no retry after leadership ended");
    assertTrue(resignations.isEmpty());
  }

  /** Building the loop sets up its key source (file watches, stat calls): never on an event loop. */
  @Test
  void theLoopIsBuiltOffTheEventLoop() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<Boolean> onEventLoop = new CopyOnWriteArrayList<>();
    LeaderRole role = track(new LeaderRole(vertx, () -> {
      onEventLoop.add(io.vertx.core.Context.isOnEventLoopThread());
      return loopFailing(calls, 0);
    }, Duration.ofMillis(20), registry));
    role.startedLeading(resignations::add);
    TestServer.await(Duration.ofSeconds(10), "the loop runs", () -> started.get() == 1);
    assertEquals(List.of(false), onEventLoop);
  }
}
