package io.kubeassume.server;

import io.kubeassume.config.Durations;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.server.guard.AcceptGate;
import io.kubeassume.server.guard.ConnectionGuard;
import io.kubeassume.server.guard.ConnectionLimits;
import io.kubeassume.server.guard.GuardMetrics;
import io.kubeassume.server.guard.HardenedOptions;
import io.kubeassume.server.guard.Heartbeats;
import io.kubeassume.tls.CertificateReloader;
import io.kubeassume.tls.TlsCredentials;
import io.kubeassume.tls.TlsSettings;
import io.kubeassume.tls.TlsStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two ports, the same for one issuer or a fleet: the public servers (one per event loop) that
 * answer from an {@link IssuerRegistry}, the TLS certificate reloader, and the management server
 * with /healthz (event-loop heartbeats), /readyz (whatever the caller's readiness says, plus TLS) and
 * /metrics. Every connection of both is guarded ({@code server/guard}).
 */
final class Serving {
  private static final Logger log = LoggerFactory.getLogger(Serving.class);

  private final List<DiscoveryVerticle> servers;
  private final int publicPort;
  private final int managementPort;

  private Serving(List<DiscoveryVerticle> servers, int publicPort, int managementPort) {
    this.servers = servers;
    this.publicPort = publicPort;
    this.managementPort = managementPort;
  }

  /**
   * @param tls the public port's certificate, or null for plain http
   * @param readiness /readyz of what is served (the TLS section is added here)
   */
  static Future<Serving> deploy(Vertx vertx, ServeConfig config, PrometheusMeterRegistry registry, AcceptGate gate,
      IssuerRegistry issuers, TlsCredentials tls, Supplier<Readiness.Result> readiness, Clock clock) {
    List<DiscoveryVerticle> servers = new ArrayList<>();
    PublicHttpMetrics httpMetrics = new PublicHttpMetrics(registry);
    HttpServerOptions publicOptions = HardenedOptions.apply(
        new HttpServerOptions().setHost(config.bind()).setPort(config.port()), config.limits(), config.h2c());
    int loops = publicInstances(config);
    Heartbeats heartbeats = new Heartbeats(loops, System.nanoTime());
    TlsStatus tlsStatus = tls == null ? null : new TlsStatus(registry, tls);
    if (tls != null) {
      TlsSettings.apply(publicOptions, tls);
      log.info("public port serves TLS 1.2/1.3 with HTTP/2: {}, valid until {}, sha256 {}", tls.subject(), tls.notAfter(),
          tls.fingerprint());
    }
    ConnectionLimits managementLimits = config.limits().forManagement();
    GuardMetrics publicGuardMetrics = new GuardMetrics(registry, "public", config.limits());
    GuardMetrics managementGuardMetrics = new GuardMetrics(registry, "management", managementLimits);
    Supplier<Readiness.Result> withTls = tlsStatus == null ? readiness : () -> {
      Readiness.Result r = readiness.get();
      r.body().put("tls", tlsStatus.toJson());
      return r;
    };
    ManagementVerticle management = new ManagementVerticle(registry,
        HardenedOptions.apply(new HttpServerOptions().setHost(config.bind()).setPort(config.managementPort()),
            managementLimits, false),
        withTls, new Liveness(heartbeats, config.livenessLimit(), System::nanoTime),
        new ConnectionGuard("management", managementLimits, managementGuardMetrics, new Heartbeats(1, System.nanoTime()),
            0, gate));
    ConnectionLimits perLoop = config.limits().perLoop(loops);
    // Both ports first, so a port in use stops start-up, naming its flag, before anything says it serves.
    return ListenFailure.named("--port", config.bind(), config.port(), vertx.deployVerticle(() -> {
          DiscoveryVerticle v;
          synchronized (servers) {
            v = new DiscoveryVerticle(issuers, publicOptions, httpMetrics,
                new ConnectionGuard("public", perLoop, publicGuardMetrics, heartbeats, servers.size(), gate));
            servers.add(v);
          }
          return v;
        }, new DeploymentOptions().setInstances(loops)))
        .compose(id -> tlsStatus == null ? Future.succeededFuture(id) : vertx.deployVerticle(new CertificateReloader(
            config.tls(), config.tlsReloadInterval(), ssl -> updateAll(servers, ssl), tlsStatus, clock)))
        .compose(id -> ListenFailure.named("--management-port", config.bind(), config.managementPort(),
            vertx.deployVerticle(management)))
        .map(id -> {
          // Before the guard sees a connection it may wait for a TLS handshake, for h2c detection, or just for a busy
          // event loop to pick it up during a flood: the gate bounds all of those.
          gate.register(servers.get(0).actualPort(), config.limits(), publicGuardMetrics);
          gate.register(management.actualPort(), managementLimits, managementGuardMetrics);
          log.info("public port limits: {} connections, request timeout {}, idle timeout {}, {} HTTP/2 streams per "
                  + "connection{}", config.limits().maxConnections(), Durations.format(config.limits().requestTimeout()),
              Durations.format(config.limits().idleTimeout()), ConnectionLimits.MAX_CONCURRENT_STREAMS,
              config.h2c() ? ", h2c on" : "");
          return new Serving(servers, servers.get(0).actualPort(), management.actualPort());
        });
  }

  /**
   * One public server per event loop, all on one port. Port 0 (any free port, for tests and local runs)
   * gets a single instance: Vert.x 5 cannot make several instances share one randomly chosen port.
   */
  private static int publicInstances(ServeConfig config) {
    return config.port() == 0 ? 1 : config.instances();
  }

  /** Every public server instance gets the new certificate; the reload counts only if all took it. */
  private static Future<?> updateAll(List<DiscoveryVerticle> servers, ServerSSLOptions ssl) {
    List<Future<Boolean>> updates = new ArrayList<>();
    synchronized (servers) {
      for (DiscoveryVerticle server : servers) {
        updates.add(server.updateSsl(ssl));
      }
    }
    return Future.all(updates);
  }

  int publicPort() {
    return publicPort;
  }

  int managementPort() {
    return managementPort;
  }

  List<DiscoveryVerticle> servers() {
    return servers;
  }
}
