package io.kubeassume.server;

import io.kubeassume.server.guard.ConnectionGuard;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.function.Supplier;

/** The management port: /healthz, /readyz, /metrics. No Ingress should expose it. */
final class ManagementVerticle extends VerticleBase {
  private final PrometheusMeterRegistry registry;
  private final HttpServerOptions options;
  /** The /readyz answer, computed per request from the live state of the issuer (or the fleet). */
  private final Supplier<Readiness.Result> readiness;
  private final Liveness liveness;
  private final ConnectionGuard guard;
  private HttpServer server;

  ManagementVerticle(PrometheusMeterRegistry registry, HttpServerOptions options, Supplier<Readiness.Result> readiness,
      Liveness liveness, ConnectionGuard guard) {
    this.registry = registry;
    this.options = options;
    this.readiness = readiness;
    this.liveness = liveness;
    this.guard = guard;
  }

  @Override
  public Future<?> start() {
    guard.start(vertx);
    Router router = Router.router(vertx);
    // First route: tell the guard when each response has been written (or given up).
    router.route().handler(ctx -> {
      io.vertx.core.http.HttpConnection connection = ctx.request().connection();
      ctx.addEndHandler(written -> guard.responseEnded(connection, written));
      ctx.next();
    });
    router.get("/healthz").handler(ctx -> {
      JsonObject status = liveness.check();
      ctx.response().setStatusCode(status.getString("status").equals("ok") ? 200 : 503);
      ctx.json(status);
    });
    router.get("/readyz").handler(ctx -> {
      Readiness.Result result = readiness.get();
      ctx.response().setStatusCode(result.ready() ? 200 : 503);
      ctx.json(result.body());
    });
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    server = vertx.createHttpServer(options)
        .connectionHandler(connection -> guard.connected(connection, () -> { }))
        .requestHandler(request -> {
          guard.requestStarted(request.connection());
          router.handle(request);
        });
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    guard.stop();
    return Future.succeededFuture();
  }

  int actualPort() {
    return server.actualPort();
  }
}
