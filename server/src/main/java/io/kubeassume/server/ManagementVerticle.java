package io.kubeassume.server;

import io.kubeassume.mirror.TargetStatus;
import io.kubeassume.server.guard.ConnectionGuard;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The management port: /healthz, /readyz, /metrics. No Ingress should expose it. */
final class ManagementVerticle extends VerticleBase {
  private final CurrentDocuments current;
  private final SyncHealth health;
  private final PrometheusMeterRegistry registry;
  private final String sourceName;
  private final Supplier<JsonObject> storeStatus;
  private final Supplier<JsonObject> leaderStatus;
  private final HttpServerOptions options;
  /** Extra /readyz sections (e.g. "tls"): name → current detail, read per request. */
  private final Map<String, Supplier<JsonObject>> details;
  private final Supplier<List<TargetStatus>> mirrors;
  private final Liveness liveness;
  private final ConnectionGuard guard;
  private HttpServer server;

  ManagementVerticle(CurrentDocuments current, SyncHealth health, PrometheusMeterRegistry registry,
      String sourceName, Supplier<JsonObject> storeStatus, Supplier<JsonObject> leaderStatus, HttpServerOptions options,
      Map<String, Supplier<JsonObject>> details, Supplier<List<TargetStatus>> mirrors, Liveness liveness,
      ConnectionGuard guard) {
    this.liveness = liveness;
    this.guard = guard;
    this.current = current;
    this.health = health;
    this.registry = registry;
    this.sourceName = sourceName;
    this.storeStatus = storeStatus;
    this.leaderStatus = leaderStatus;
    this.options = options;
    this.details = Map.copyOf(details);
    this.mirrors = mirrors;
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
      Readiness.Result result = Readiness.evaluate(current.snapshot(), health.report(), sourceName,
          storeStatus.get(), leaderStatus.get());
      details.forEach((name, detail) -> result.body().put(name, detail.get()));
      Readiness.addMirrors(result.body(), mirrors.get());
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
