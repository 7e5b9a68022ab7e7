package io.kubeassume.tls;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.config.TlsFiles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping while a reload reads the files: the stop waits for the read, so the read's result is never
 * delivered to an event loop Vert.x has already shut down (seen as an uncaught RejectedExecutionException
 * from a worker thread when a server closed during a reload).
 */
class CertificateReloaderStopTest {
  @TempDir
  Path dir;

  static Path repoFile(String relative) {
    Path p = Path.of("").toAbsolutePath();
    while (!p.resolve(relative).toFile().exists()) {
      p = p.getParent();
    }
    return p.resolve(relative);
  }

  /** True while a thread is blocked opening a file: the FIFO's reader waits there for a writer. */
  static boolean aReadIsBlockedOnOpen() {
    return Thread.getAllStackTraces().values().stream().anyMatch(frames -> Arrays.stream(frames)
        .anyMatch(f -> f.getClassName().contains("UnixNativeDispatcher") && f.getMethodName().startsWith("open")));
  }

  @Test
  void stopWaitsForTheReloadThatIsReading() throws Exception {
    Path cert = Files.copy(repoFile("certs/dev/tls/tls.crt"), dir.resolve("tls.crt"));
    Path key = Files.copy(repoFile("certs/dev/tls/tls.key"), dir.resolve("tls.key"));
    Vertx vertx = Vertx.vertx();
    try {
      TlsFiles files = new TlsFiles(cert, key);
      TlsCredentials first = TlsCredentials.read(files, vertx);
      CertificateReloader reloader = new CertificateReloader(files, Duration.ofMillis(50), ssl -> Future.succeededFuture(),
          new TlsStatus(new SimpleMeterRegistry(), first), Clock.systemUTC());
      String id = vertx.deployVerticle(reloader).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

      // The certificate becomes a FIFO: the next reload blocks opening it until someone writes.
      Files.delete(cert);
      Process mkfifo = new ProcessBuilder("mkfifo", cert.toString()).start();
      assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!aReadIsBlockedOnOpen() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(aReadIsBlockedOnOpen(), "a reload is reading the certificate");

      CompletableFuture<String> undeployed = vertx.undeploy(id).map("undeployed").toCompletionStage().toCompletableFuture();
      assertThrows(TimeoutException.class, () -> undeployed.get(2, TimeUnit.SECONDS),
          "the stop must wait for the read in flight");

      try (OutputStream out = Files.newOutputStream(cert)) {
        out.write(Files.readString(repoFile("certs/dev/tls/tls.crt")).getBytes(StandardCharsets.US_ASCII));
      }
      undeployed.get(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
