package io.kubeassume.tls;

import io.kubeassume.config.TlsFiles;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.ServerSSLOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the certificate and key every interval and hands a changed, valid pair to the public
 * servers, so cert-manager renewals (a Secret volume's atomic symlink swap) take effect without a
 * restart. A pair that does not load keeps the old certificate served; the error is logged once
 * and shown in /readyz and /metrics. Polling rather than a file watch: Secret volumes swap
 * directories, which inotify on the file itself does not report.
 */
public final class CertificateReloader extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(CertificateReloader.class);

  private final TlsFiles files;
  private final Duration interval;
  private final Function<ServerSSLOptions, Future<?>> apply;
  private final TlsStatus status;
  private final Clock clock;
  private long timer = -1;
  private boolean checking;
  /** The check that runs (or the last one): stop waits for it, so its read never completes into a closed event loop. */
  private Future<?> inFlight = Future.succeededFuture();
  private String loggedError;

  public CertificateReloader(TlsFiles files, Duration interval, Function<ServerSSLOptions, Future<?>> apply,
      TlsStatus status, Clock clock) {
    this.files = files;
    this.interval = interval;
    this.apply = apply;
    this.status = status;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(interval.toMillis(), id -> check());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return inFlight.otherwiseEmpty();
  }

  private void check() {
    if (checking) {
      return;
    }
    checking = true;
    inFlight = vertx.executeBlocking(() -> TlsCredentials.read(files, vertx), false)
        .compose(read -> {
          if (read.sameAs(status.serving())) {
            return Future.succeededFuture(false);
          }
          return apply.apply(TlsSettings.serverOptions(read)).map(v -> {
            status.reloaded(read, clock.instant());
            log.info("reloaded the TLS certificate: {}, valid until {}, sha256 {}", read.subject(), read.notAfter(),
                read.fingerprint());
            return true;
          });
        })
        .onComplete(result -> {
          checking = false;
          if (result.succeeded()) {
            loggedError = null;
            return;
          }
          String error = result.cause() instanceof InvalidTlsCredentialsException ? result.cause().getMessage()
              : result.cause().toString();
          status.failed(error, clock.instant());
          if (!error.equals(loggedError)) {
            // Once per distinct error: a half-written renewal must not flood the log every interval.
            log.warn("TLS certificate reload failed, still serving the certificate valid until {}: {}",
                status.serving().notAfter(), error);
            loggedError = error;
          }
        });
  }
}
