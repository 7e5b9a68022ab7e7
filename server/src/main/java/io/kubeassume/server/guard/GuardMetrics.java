package io.kubeassume.server.guard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * kubeassume_http_connections_closed_total{port,reason}: connections the server closed itself (a
 * timeout, or a cap reached); kubeassume_http_connection_limit{port}: the cap. A rising count of
 * one reason tells an operator what a client, or an attacker, is doing (docs/operations.md).
 */
public final class GuardMetrics {
  private final Map<ConnectionTable.Reason, Counter> closed = new EnumMap<>(ConnectionTable.Reason.class);
  private final Counter acceptPaused;

  public GuardMetrics(MeterRegistry registry, String port, ConnectionLimits limits) {
    for (ConnectionTable.Reason reason : ConnectionTable.Reason.values()) {
      closed.put(reason, Counter.builder("kubeassume.http.connections.closed")
          .description("Connections closed by the server: a client too slow to send a request or read a response, "
              + "idle too long, or the least active one when a cap was reached")
          .tag("port", port).tag("reason", reason.label()).register(registry));
    }
    acceptPaused = Counter.builder("kubeassume.http.accept.paused")
        .description("Times the port stopped accepting because the process held the most connections it may "
            + "(they wait in the kernel's backlog until some close)")
        .tag("port", port).register(registry);
    Gauge.builder("kubeassume.http.connection.limit", limits, l -> l.maxConnections())
        .description("Most connections open at once on the port (--max-connections on the public port)")
        .tag("port", port).strongReference(true).register(registry);
  }

  /** Connections the accept gate closed because too many were still in their TLS handshake. */
  public void pendingEvicted(int n) {
    closed.get(ConnectionTable.Reason.PENDING_LIMIT).increment(n);
  }

  void acceptPaused() {
    acceptPaused.increment();
  }

  void closed(ConnectionTable.Reason reason) {
    closed.get(reason).increment();
  }
}
