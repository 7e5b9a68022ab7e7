package io.kubeassume.server;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the sync loop while this replica leads: deploys a fresh KeySyncVerticle when leadership
 * starts and undeploys it when it stops. Transitions are applied one after another on one
 * context, so a quick start-stop-start never leaves two loops running.
 */
final class LeaderRole implements LeaderElection.Listener {
  private static final Logger log = LoggerFactory.getLogger(LeaderRole.class);

  private final Vertx vertx;
  private final Context context;
  private final Callable<Deployable> syncLoop;
  /** The deployment id of the running loop, or null; only touched on {@code context}. */
  private Future<String> deployed = Future.succeededFuture();
  /** Set once the server closes; only touched on {@code context}. */
  private boolean closed;

  LeaderRole(Vertx vertx, Callable<Deployable> syncLoop) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.syncLoop = syncLoop;
  }

  @Override
  public void startedLeading() {
    context.runOnContext(v -> step(true));
  }

  @Override
  public void stoppedLeading() {
    context.runOnContext(v -> step(false));
  }

  /** Stops the loop for good (server shutdown); completes once it is undeployed. */
  Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      step(false);
      closed = true;
      deployed.onComplete(ignored -> done.complete());
    });
    return done.future();
  }

  private void step(boolean lead) {
    if (closed) {
      return;
    }
    deployed = deployed.transform(previous -> {
      String id = previous.succeeded() ? previous.result() : null;
      if (lead && id == null) {
        return deploy();
      }
      if (!lead && id != null) {
        return vertx.undeploy(id).transform(done -> Future.succeededFuture((String) null));
      }
      return Future.succeededFuture(id);
    });
  }

  private Future<String> deploy() {
    Deployable loop;
    try {
      loop = syncLoop.call();
    } catch (Exception e) {
      log.error("cannot start the sync loop as leader: {}", e.toString());
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(loop).recover(e -> {
      log.error("cannot start the sync loop as leader: {}", e.toString());
      return Future.succeededFuture();
    });
  }
}
