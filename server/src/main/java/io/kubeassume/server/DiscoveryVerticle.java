package io.kubeassume.server;

import io.kubeassume.server.guard.ConnectionGuard;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The public port: GET and HEAD of the two documents of every issuer served, under each issuer's
 * path, nothing else. One instance per event loop; a request finds its issuer in the registry's
 * current routing table (one hash lookup), reads that issuer's current responses and writes
 * pre-built buffers and header values, so the hot path allocates next to nothing and never blocks.
 */
public final class DiscoveryVerticle extends VerticleBase {
  private static final CharSequence ALLOW_VALUE = HttpHeaders.createOptimized("GET, HEAD");
  private static final CharSequence ANY_ORIGIN = HttpHeaders.createOptimized("*");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence X_CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("x-content-type-options");
  private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("Retry-After");
  private static final CharSequence RETRY_SECONDS = HttpHeaders.createOptimized("5");
  private static final CharSequence HSTS = HttpHeaders.createOptimized("strict-transport-security");
  private static final CharSequence HSTS_VALUE = HttpHeaders.createOptimized(io.kubeassume.tls.TlsSettings.HSTS_VALUE);

  private final IssuerRegistry issuers;
  private final HttpServerOptions options;
  private final PublicHttpMetrics metrics;
  private final boolean tls;
  private final ConnectionGuard guard;
  private HttpServer server;

  DiscoveryVerticle(IssuerRegistry issuers, HttpServerOptions options, PublicHttpMetrics metrics, ConnectionGuard guard) {
    this.guard = guard;
    this.tls = options.isSsl();
    this.issuers = issuers;
    this.options = options;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    guard.start(vertx);
    server = vertx.createHttpServer(options)
        .connectionHandler(connection -> {
          metrics.connectionOpened();
          guard.connected(connection, metrics::connectionClosed);
        })
        .requestHandler(this::handle);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    guard.stop();
    return Future.succeededFuture();
  }

  /** Swaps the certificate of this server; connections already open keep theirs. */
  public Future<Boolean> updateSsl(io.vertx.core.net.ServerSSLOptions ssl) {
    return server.updateSSLOptions(ssl);
  }

  io.vertx.core.Context context() {
    return context;
  }

  /** The bound port (useful when configured as 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    guard.requestStarted(connection);
    HttpServerResponse response = request.response();
    MultiMap headers = response.headers();
    headers.add(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
    if (tls) {
      headers.add(HSTS, HSTS_VALUE);
    }
    IssuerRoutes routes = issuers.routes();
    IssuerRoutes.Match match = routes.find(routes.sharedPaths() ? host(request) : null, request.path());
    if (match == null) {
      metrics.request(PublicHttpMetrics.OTHER, 404);
      end(connection, response.setStatusCode(404), null);
      return;
    }
    boolean isDiscovery = match.document() == IssuerRoutes.DISCOVERY;
    int document = isDiscovery ? PublicHttpMetrics.DISCOVERY : PublicHttpMetrics.JWKS;
    HttpMethod method = request.method();
    boolean head = method == HttpMethod.HEAD;
    if (!head && method != HttpMethod.GET) {
      headers.add(HttpHeaders.ALLOW, ALLOW_VALUE);
      metrics.request(document, 405);
      end(connection, response.setStatusCode(405), null);
      return;
    }
    io.kubeassume.document.Snapshot docs = match.endpoint().documents().current();
    if (docs == null) {
      headers.add(RETRY_AFTER, RETRY_SECONDS);
      metrics.request(document, 503);
      end(connection, response.setStatusCode(503), null);
      return;
    }
    io.kubeassume.document.Document doc = isDiscovery ? docs.discovery() : docs.jwks();
    headers.add(HttpHeaders.CONTENT_TYPE, DocumentResponses.contentType(doc))
        .add(HttpHeaders.CACHE_CONTROL, match.endpoint().cacheControl())
        .add(HttpHeaders.ETAG, doc.etag())
        .add(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, ANY_ORIGIN);
    String ifNoneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
    if (ifNoneMatch != null && EntityTags.matches(ifNoneMatch, doc.etag())) {
      metrics.request(document, 304);
      end(connection, response.setStatusCode(304), null);
      return;
    }
    metrics.request(document, 200);
    if (head) {
      headers.add(HttpHeaders.CONTENT_LENGTH, Integer.toString(doc.size()));
      end(connection, response, null);
    } else {
      end(connection, response, DocumentResponses.body(doc));
    }
  }

  /** The Host header's (HTTP/1.1) or :authority's (HTTP/2) host, or null without one. */
  private static String host(HttpServerRequest request) {
    io.vertx.core.net.HostAndPort authority = request.authority();
    return authority == null ? null : authority.host();
  }

  /** Ends the response and tells the guard when it has been written (or given up). */
  private void end(HttpConnection connection, HttpServerResponse response, Buffer body) {
    (body == null ? response.end() : response.end(body)).onComplete(written -> guard.responseEnded(connection, written));
  }
}
