package io.kubeassume.tls;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * What the public port's certificate is and how its last reload went: for /readyz and /metrics.
 * Written by the reloader only; read by the management server.
 */
public final class TlsStatus {
  private final Counter reloaded;
  private final Counter failed;
  private volatile TlsCredentials serving;
  private volatile Instant lastReload;
  /** The last failed reload, or null; one reference, so /readyz never sees a message without its time. */
  private volatile Failure lastFailure;

  private record Failure(String message, Instant at) {}

  public TlsStatus(MeterRegistry registry, TlsCredentials initial) {
    this.serving = initial;
    this.reloaded = Counter.builder("kubeassume_tls_reloads_total")
        .description("Certificate reloads of the public port, by result").tag("result", "reloaded").register(registry);
    this.failed = Counter.builder("kubeassume_tls_reloads_total")
        .description("Certificate reloads of the public port, by result").tag("result", "error").register(registry);
    Gauge.builder("kubeassume_tls_certificate_expiry_timestamp_seconds", this, s -> s.serving.notAfter().getEpochSecond())
        .description("notAfter of the certificate the public port serves, in Unix seconds")
        .register(registry);
  }

  public TlsCredentials serving() {
    return serving;
  }

  void reloaded(TlsCredentials credentials, Instant at) {
    serving = credentials;
    lastReload = at;
    lastFailure = null;
    reloaded.increment();
  }

  void failed(String error, Instant at) {
    lastFailure = new Failure(error, at);
    failed.increment();
  }

  /** Readiness detail; a failed reload does not make the server unready (the previous certificate is still served). */
  public JsonObject toJson() {
    TlsCredentials c = serving;
    JsonObject json = new JsonObject()
        .put("subject", c.subject())
        .put("notAfter", c.notAfter().toString())
        .put("sha256", c.fingerprint());
    Instant reloadedAt = lastReload;
    if (reloadedAt != null) {
      json.put("lastReload", reloadedAt.toString());
    }
    Failure failure = lastFailure;
    if (failure != null) {
      json.put("lastError", new JsonObject().put("message", failure.message()).put("at", failure.at().toString()));
    }
    return json;
  }
}
