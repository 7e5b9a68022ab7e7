package io.kubeassume.server.guard;

import java.time.Duration;

/**
 * What one listening port allows its clients: how many connections and in-flight responses, how long
 * a client may take to send a request or to read a response, and how long an idle keep-alive
 * connection stays open. The numbers, and the memory they bound, are in docs/security.md.
 *
 * @param maxConnections connections open at once on the port; past it, the least active is closed
 * @param maxInFlight responses being written at once on the port (HTTP/2 allows several per connection)
 * @param requestTimeout time to send a complete request (from connect), and to read each response
 * @param idleTimeout time a connection that has been answered may wait for its next request
 */
public record ConnectionLimits(int maxConnections, int maxInFlight, Duration requestTimeout, Duration idleTimeout) {
  /** HTTP/2 streams one connection may have open: enough for any client of two documents. */
  public static final int MAX_CONCURRENT_STREAMS = 16;
  /** Request line and headers; a discovery client sends a few hundred bytes. */
  public static final int MAX_INITIAL_LINE = 4096;
  public static final int MAX_HEADER_SIZE = 8192;
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
  /**
   * Heap one connection may cost at worst, measured (docs/security.md): 12 KiB for a connection with a
   * half-received request or an HTTP/2 connection over TLS, plus 3 KiB for its share of in-flight
   * responses (as many as connections). The default cap spends a third of the heap on them, leaving the
   * rest to the live set (about 14 MiB) and the young generation's churn under a flood.
   */
  public static final long WORST_CASE_BYTES_PER_CONNECTION = 15 * 1024;
  /** The default cap stays within these bounds, whatever the heap. */
  public static final int MIN_DEFAULT_CONNECTIONS = 64;
  public static final int MAX_DEFAULT_CONNECTIONS = 16_384;
  /** The management port serves probes and a scraper: a few connections. */
  public static final int MANAGEMENT_CONNECTIONS = 32;

  public ConnectionLimits {
    if (maxConnections < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException("connection caps must be at least 1");
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  /**
   * How long an answered connection must have been idle before a newcomer may take its place at the
   * cap: long enough that busy keep-alive clients are never the ones closed.
   */
  public Duration minIdleToEvict() {
    Duration second = Duration.ofSeconds(1);
    return idleTimeout.compareTo(second) < 0 ? idleTimeout : second;
  }

  /** The public port's defaults for a JVM whose heap may grow to {@code maxHeapBytes}. */
  public static ConnectionLimits forHeap(long maxHeapBytes) {
    int connections = defaultMaxConnections(maxHeapBytes);
    return new ConnectionLimits(connections, connections, DEFAULT_REQUEST_TIMEOUT, DEFAULT_IDLE_TIMEOUT);
  }

  /** A third of the heap divided by the worst-case cost of a connection, within sane bounds. */
  public static int defaultMaxConnections(long maxHeapBytes) {
    long n = maxHeapBytes / 3 / WORST_CASE_BYTES_PER_CONNECTION;
    return (int) Math.max(MIN_DEFAULT_CONNECTIONS, Math.min(MAX_DEFAULT_CONNECTIONS, n));
  }

  /** The management port: a small fixed cap, the public port's timeouts. */
  public ConnectionLimits forManagement() {
    return new ConnectionLimits(MANAGEMENT_CONNECTIONS, MANAGEMENT_CONNECTIONS, requestTimeout, idleTimeout);
  }

  /**
   * Connections accepted but not yet seen by the HTTP guard (a TLS handshake, or just not yet picked up
   * by a busy event loop) that the port keeps at once: a quarter of the cap.
   */
  public int maxPending() {
    return Math.max(16, maxConnections / 4);
  }

  /** One event loop's share when {@code loops} event loops serve the port (connections are dealt round-robin). */
  public ConnectionLimits perLoop(int loops) {
    return new ConnectionLimits(share(maxConnections, loops), share(maxInFlight, loops), requestTimeout, idleTimeout);
  }

  private static int share(int total, int loops) {
    return Math.max(1, (total + loops - 1) / loops);
  }
}
