package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import io.kubeassume.config.ClusterSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A campaign that ended (leadership lost in an API-server outage) schedules the next one; a server that
 * closes in that pause must not campaign again. Seen in the 20-run check: the timer fired after Vert.x had
 * closed, and the rejected worker task was logged as an unhandled exception.
 */
class LeaderElectionCloseTest {
  @TempDir
  Path dir;

  @Test
  void theNextCampaignDoesNothingOnceClosed() throws Exception {
    try (MockCluster cluster = new MockCluster(dir)) {
      Vertx vertx = Vertx.vertx();
      LeaderElection election = new LeaderElection(vertx, cluster.client,
          ClusterSettings.of(MockCluster.NAMESPACE, "replica-1").withTiming(Duration.ofSeconds(4), Duration.ofSeconds(3),
              Duration.ofMillis(500)),
          new LeaderElection.Listener() {
            @Override
            public void startedLeading(LeaderElection.Resignation resign) {
            }

            @Override
            public void stoppedLeading() {
            }
          }, new SimpleMeterRegistry());
      election.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      // What the re-campaign timer runs, after the server (and its worker pool) closed.
      assertDoesNotThrow(election::campaignAgain);
    }
  }
}
