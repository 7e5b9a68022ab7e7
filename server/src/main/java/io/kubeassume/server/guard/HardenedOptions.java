package io.kubeassume.server.guard;

import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;

/** The HTTP server settings both ports share: small request heads, few HTTP/2 streams, bounded handshakes. */
public final class HardenedOptions {
  private HardenedOptions() {}

  /**
   * @param h2c whether plain-text HTTP/2 (prior knowledge and {@code Upgrade: h2c}) is spoken; off unless
   *     asked for, since no cloud fetches discovery documents that way
   */
  public static HttpServerOptions apply(HttpServerOptions options, ConnectionLimits limits, boolean h2c) {
    long request = limits.requestTimeout().toMillis();
    // The guard closes idle and slow connections on time; Netty's idle timer is a backstop for the moments the
    // guard cannot see: a plain connection before its first byte tells HTTP/1 from h2c.
    long backstop = Math.max(request, limits.idleTimeout().toMillis()) + request;
    return options
        .setIdleTimeout((int) backstop)
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        // A TLS client that never finishes its handshake is not yet a connection the guard sees.
        .setSslHandshakeTimeout(request)
        .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
        .setHttp2ClearTextEnabled(h2c)
        .setCompressionSupported(false)
        .setDecompressionSupported(false)
        .setMaxInitialLineLength(ConnectionLimits.MAX_INITIAL_LINE)
        .setMaxHeaderSize(ConnectionLimits.MAX_HEADER_SIZE)
        .setInitialSettings(new Http2Settings()
            .setMaxConcurrentStreams(ConnectionLimits.MAX_CONCURRENT_STREAMS)
            .setMaxHeaderListSize(ConnectionLimits.MAX_HEADER_SIZE)
            // Requests have no body worth reading: a small window stops a client pushing data at us.
            .setInitialWindowSize(1024));
  }
}
