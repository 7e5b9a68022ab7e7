package io.kubeassume.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Request metrics of the public port: kubeassume_http_requests_total{document,code} and
 * kubeassume_http_open_connections. Every counter is registered up front and held in an array,
 * so counting a request is an index and an add. (Vert.x's own per-request HTTP metrics look their
 * meters up on every request, which cost a third of the CPU under load; see docs/performance.md.)
 */
final class PublicHttpMetrics {
  static final int DISCOVERY = 0;
  static final int JWKS = 1;
  static final int OTHER = 2;
  private static final String[] DOCUMENTS = {"discovery", "jwks", "other"};
  private static final int[] CODES = {200, 304, 404, 405, 503};

  private final Counter[][] requests = new Counter[DOCUMENTS.length][CODES.length];
  private final AtomicInteger openConnections = new AtomicInteger();

  PublicHttpMetrics(MeterRegistry registry) {
    for (int d = 0; d < DOCUMENTS.length; d++) {
      for (int c = 0; c < CODES.length; c++) {
        requests[d][c] = Counter.builder("kubeassume.http.requests")
            .description("Requests on the public port by document and status code")
            .tag("document", DOCUMENTS[d]).tag("code", Integer.toString(CODES[c])).register(registry);
      }
    }
    Gauge.builder("kubeassume.http.open.connections", openConnections, AtomicInteger::get)
        .description("Open connections on the public port").strongReference(true).register(registry);
  }

  void request(int document, int code) {
    int c = switch (code) {
      case 200 -> 0;
      case 304 -> 1;
      case 404 -> 2;
      case 405 -> 3;
      default -> 4;
    };
    requests[document][c].increment();
  }

  void connectionOpened() {
    openConnections.incrementAndGet();
  }

  void connectionClosed() {
    openConnections.decrementAndGet();
  }
}
