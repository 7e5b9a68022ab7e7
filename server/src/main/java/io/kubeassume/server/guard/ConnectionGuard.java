package io.kubeassume.server.guard;

import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one event loop's connections to their {@link ConnectionTable} deadlines and caps: the
 * server reports connections, requests and written responses; a periodic sweep on the same event
 * loop closes what is overdue and beats the loop's heartbeat. One per server instance; every call
 * comes from that instance's event loop, so nothing here is shared between threads.
 */
public final class ConnectionGuard {
  private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);

  private final ConnectionTable<HttpConnection> table;
  private final GuardMetrics metrics;
  private final Heartbeats heartbeats;
  private final int loop;
  private final long sweepMillis;
  private final String port;
  private final AcceptGate gate;
  private Vertx vertx;
  private long timer = -1;
  private boolean loggedLimit;

  /**
   * @param perLoop this event loop's share of the port's limits
   * @param loop this event loop's slot in {@code heartbeats}
   */
  public ConnectionGuard(String port, ConnectionLimits perLoop, GuardMetrics metrics, Heartbeats heartbeats, int loop,
      AcceptGate gate) {
    this.port = port;
    this.gate = gate;
    this.table = new ConnectionTable<>(perLoop.maxConnections(), perLoop.maxInFlight(),
        perLoop.requestTimeout().toNanos(), perLoop.idleTimeout().toNanos(), perLoop.requestTimeout().toNanos(),
        perLoop.minIdleToEvict().toNanos());
    this.metrics = metrics;
    this.heartbeats = heartbeats;
    this.loop = loop;
    // A quarter of the shortest deadline: a connection is closed at most 25 % late, and an idle server wakes rarely.
    long shortest = Math.min(perLoop.requestTimeout().toMillis(), perLoop.idleTimeout().toMillis());
    this.sweepMillis = Math.max(50, Math.min(1000, shortest / 4));
  }

  /** Starts the sweep; call on the event loop that serves the connections (a verticle's start). */
  public void start(Vertx vertx) {
    this.vertx = vertx;
    heartbeats.beat(loop, System.nanoTime());
    timer = vertx.setPeriodic(sweepMillis, id -> sweep());
  }

  public void stop() {
    if (vertx != null) {
      vertx.cancelTimer(timer);
    }
  }

  /** A connection opened; {@code onClose} runs when it closes (the guard owns the close handler). */
  public void connected(HttpConnection connection, Runnable onClose) {
    gate.claim(connection);
    connection.closeHandler(v -> {
      table.closed(connection);
      onClose.run();
    });
    close(table.opened(connection, System.nanoTime()));
  }

  /** A complete request arrived on {@code connection}; report its response with {@link #responseEnded}. */
  public void requestStarted(HttpConnection connection) {
    close(table.requestStarted(connection, System.nanoTime()));
  }

  /** The outcome of a response's {@code end()}: written in full, or given up (reset, connection gone). */
  public void responseEnded(HttpConnection connection, AsyncResult<Void> written) {
    if (written.succeeded()) {
      table.responseWritten(connection, System.nanoTime());
    } else {
      table.responseFailed(connection, System.nanoTime());
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    heartbeats.beat(loop, now);
    List<ConnectionTable.Closing<HttpConnection>> overdue = table.expired(now);
    for (ConnectionTable.Closing<HttpConnection> closing : overdue) {
      close(closing);
    }
  }

  private void close(ConnectionTable.Closing<HttpConnection> closing) {
    if (closing == null) {
      return;
    }
    metrics.closed(closing.reason());
    if (closing.reason() == ConnectionTable.Reason.CONNECTION_LIMIT || closing.reason() == ConnectionTable.Reason.IN_FLIGHT_LIMIT) {
      if (!loggedLimit) {
        // Once per event loop: under a flood this would be a line per connection. The counter keeps the total.
        log.warn("{} port: {} reached; closing the least active connections to make room (counted in "
            + "kubeassume_http_connections_closed_total; see docs/security.md to size --max-connections)", port,
            closing.reason() == ConnectionTable.Reason.CONNECTION_LIMIT ? "the connection limit" : "the in-flight response limit");
        loggedLimit = true;
      }
    }
    closing.connection().close();
  }
}
