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
  private volatile String lastError;
  private volatile Instant lastErrorAt;

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
    lastError = null;
    lastErrorAt = null;
    reloaded.increment();
  }

  void failed(String error, Instant at) {
    lastError = error;
    lastErrorAt = at;
    failed.increment();
  }

  /** Readiness detail; a failed reload does not make the server unready (the previous certificate is still served). */
  public JsonObject toJson() {
    TlsCredentials c = serving;
    JsonObject json = new JsonObject()
        .put("subject", c.subject())
        .put("notAfter", c.notAfter().toString())
        .put("sha256", c.fingerprint());
    if (lastReload != null) {
      json.put("lastReload", lastReload.toString());
    }
    if (lastError != null) {
      json.put("lastError", new JsonObject().put("message", lastError).put("at", lastErrorAt.toString()));
    }
    return json;
  }
}
