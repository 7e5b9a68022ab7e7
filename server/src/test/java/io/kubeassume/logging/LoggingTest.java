package io.kubeassume.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/** What reaches the log, through SLF4J exactly as the application and its libraries call it. */
class LoggingTest {
  final List<String> lines = new CopyOnWriteArrayList<>();
  LogSettings.Capture capture;

  @BeforeEach
  void capture() {
    capture = LogSettings.capture(lines::add);
  }

  @AfterEach
  void restore() {
    capture.close();
    LogSettings.level(Level.INFO);
    LogSettings.format(LogFormat.TEXT);
  }

  static KubernetesClientException leaseGetFailed() {
    return new KubernetesClientException("Operation: [get]  for kind: [Lease]  with name: [kubeassume]  in namespace: [oidc]  failed.",
        new IOException("Failed to resolve 'kubernetes.default.svc'", new UnknownHostException("kubernetes.default.svc")));
  }

  @Test
  void theSlf4jBackendIsOurs() {
    assertEquals(KubeassumeLogger.class, LoggerFactory.getLogger("x").getClass(), "exactly one SLF4J provider: ours");
  }

  @Test
  void anExpectedFailureIsOneLineWithItsCauses() {
    Logger log = LoggerFactory.getLogger("io.kubeassume.test.Expected");
    log.warn("cannot read the lease {}", "oidc/kubeassume", leaseGetFailed());
    assertEquals(1, lines.size(), lines.toString());
    String line = lines.get(0);
    assertEquals(1, line.lines().count(), "no stack trace: " + line);
    assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* WARN Expected - cannot read the lease oidc/kubeassume; "
        + "cause: KubernetesClientException: Operation: \\[get\\].*; caused by: IOException: Failed to resolve 'kubernetes.default.svc'; "
        + "caused by: UnknownHostException: kubernetes.default.svc"), line);
  }

  @Test
  void aBugKeepsItsStackTrace() {
    LoggerFactory.getLogger("io.kubeassume.test.Bug").error("unexpected", new IllegalStateException("Promise already completed"));
    String out = String.join("\n", lines);
    assertTrue(out.contains("java.lang.IllegalStateException: Promise already completed") && out.contains("\tat "), out);
  }

  @Test
  void atDebugEveryFailureHasItsStackTrace() {
    LogSettings.level(Level.DEBUG);
    LoggerFactory.getLogger("io.kubeassume.test.Expected").warn("cannot read the lease", leaseGetFailed());
    String out = String.join("\n", lines);
    assertTrue(out.contains("\tat ") && out.contains("Caused by: java.net.UnknownHostException"), out);
  }

  @Test
  void fabric8sLeaderElectorIsQuietUnlessDebug() {
    Logger elector = LoggerFactory.getLogger("io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector");
    elector.warn("Exception occurred while acquiring lock '{} retrying...'", "LeaseLock: oidc - kubeassume (replica-1)",
        leaseGetFailed());
    elector.error("Exception occurred while releasing lock '{}' on cancel", "LeaseLock: oidc - kubeassume (replica-1)",
        leaseGetFailed());
    assertTrue(lines.isEmpty(), "LeaderElection logs each distinct Lease failure once instead: " + lines);
    elector.error("Exception during leader election", new IllegalStateException("bug"));
    assertEquals(1, lines.stream().filter(l -> l.contains("Exception during leader election")).count(), lines.toString());
    assertTrue(String.join("\n", lines).contains("\tat "), "a bug keeps its stack trace: " + lines);

    lines.clear();
    LogSettings.level(Level.DEBUG);
    elector.debug("Attempting to acquire leader lease '{}'...", "LeaseLock: oidc - kubeassume (replica-1)");
    elector.warn("Exception occurred while acquiring lock '{} retrying...'", "LeaseLock: oidc - kubeassume (replica-1)",
        leaseGetFailed());
    assertEquals(2, lines.stream().filter(l -> !l.startsWith("\t") && !l.startsWith("Caused by")).filter(l -> l.contains("LeaderElector")).count(),
        "at debug it says everything: " + lines);
  }

  @Test
  void nettyAndVertxStayAtWarnEvenAtDebug() {
    LogSettings.level(Level.DEBUG);
    LoggerFactory.getLogger("io.netty.buffer.PoolThreadCache").debug("noise");
    LoggerFactory.getLogger("io.vertx.core.impl.ContextImpl").info("noise");
    assertTrue(lines.isEmpty(), lines.toString());
    LogSettings.level(Level.ERROR);
    LoggerFactory.getLogger("io.vertx.core.impl.ContextImpl").warn("quieter than the level asks");
    assertTrue(lines.isEmpty(), "a library is never louder than the configured level: " + lines);
  }

  @Test
  void jsonIsOneObjectPerLineWithTimeLevelLoggerMessageAndCause() throws Exception {
    LogSettings.format(LogFormat.JSON);
    Logger log = LoggerFactory.getLogger("io.kubeassume.server.KeySyncVerticle");
    log.info("serving revision {} with {} key(s): {}", 3, 1, "[\"kid\"]\n");
    log.warn("cannot read the lease", leaseGetFailed());
    log.error("a bug", new IllegalStateException("boom"));
    assertEquals(3, lines.size(), lines.toString());
    for (String line : lines) {
      assertEquals(1, line.lines().count(), "one line: " + line);
    }
    Map<String, Object> info = JSONObjectUtils.parse(lines.get(0));
    assertTrue(((String) info.get("time")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), info.toString());
    assertEquals("INFO", info.get("level"));
    assertEquals("INFO", info.get("severity"));
    assertEquals("io.kubeassume.server.KeySyncVerticle", info.get("logger"));
    assertEquals("serving revision 3 with 1 key(s): [\"kid\"]\n", info.get("message"));
    assertFalse(info.containsKey("error"));

    Map<String, Object> warn = JSONObjectUtils.parse(lines.get(1));
    assertEquals("WARNING", warn.get("severity"));
    assertTrue(((String) warn.get("error")).endsWith("caused by: UnknownHostException: kubernetes.default.svc"), warn.toString());
    assertFalse(warn.containsKey("stackTrace"), "an expected failure has no stack trace");

    Map<String, Object> bug = JSONObjectUtils.parse(lines.get(2));
    assertEquals("IllegalStateException: boom", bug.get("error"));
    assertTrue(((String) bug.get("stackTrace")).contains("\tat io.kubeassume.logging.LoggingTest"), bug.toString());
  }

  @Test
  void theFormatAndLevelFlagValues() {
    assertEquals(LogFormat.JSON, LogFormat.fromFlag("json"));
    assertEquals(LogFormat.TEXT, LogFormat.fromFlag("text"));
  }

  /** fabric8's vertx-5 client double-fails a promise on a reset connection; Vert.x logs it as an unhandled exception. */
  @Test
  void aKnownHarmlessLibraryDefectStaysAtDebug() {
    IllegalStateException doubleFail = new IllegalStateException("Promise already completed");
    doubleFail.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("io.vertx.core.Promise", "fail", "Promise.java", 103),
        new StackTraceElement("io.vertx.core.http.impl.HttpClientRequestBase", "fail", "HttpClientRequestBase.java", 166)});
    Logger context = LoggerFactory.getLogger("io.vertx.core.impl.ContextImpl");
    context.error("Unhandled exception", doubleFail);
    assertTrue(lines.isEmpty(), lines.toString());
    context.error("Unhandled exception", new IllegalStateException("Promise already completed"));
    assertEquals(1, lines.size(), "the same exception from anywhere else is a bug and shows: " + lines);
    lines.clear();
    LogSettings.level(Level.DEBUG);
    context.error("Unhandled exception", doubleFail);
    assertEquals(1, lines.size(), "at debug it shows: " + lines);
  }

  /** A peer that resets its connection is the request's failure, reported by whoever made it; not an error line of its own. */
  @Test
  void vertxsConnectionResetLineStaysAtDebug() {
    Logger connection = LoggerFactory.getLogger("io.vertx.core.net.impl.ConnectionBase");
    connection.error("recvAddress(..) failed with error(-104): Connection reset by peer");
    connection.error("writeAddress(..) failed: Broken pipe");
    connection.error("Connection reset"); // the JDK's NIO transport (no native epoll)
    LoggerFactory.getLogger("io.vertx.core.http.impl.HttpClientRequestImpl").error("Connection was closed");
    assertTrue(lines.isEmpty(), lines.toString());
    connection.error("something else went wrong");
    assertEquals(1, lines.size(), lines.toString());
    lines.clear();
    LogSettings.level(Level.DEBUG);
    connection.error("recvAddress(..) failed with error(-104): Connection reset by peer");
    assertEquals(1, lines.size(), "at debug it shows: " + lines);
  }

  /** Netty cannot notify a listener once its event loop is gone, which happens only while stopping. */
  @Test
  void nettysNotificationAfterShutdownStaysAtDebug() {
    Logger rejected = LoggerFactory.getLogger("io.netty.util.concurrent.DefaultPromise.rejectedExecution");
    rejected.error("Failed to submit a listener notification task. Event loop shut down?",
        new java.util.concurrent.RejectedExecutionException("event executor terminated"));
    assertTrue(lines.isEmpty(), lines.toString());
    LoggerFactory.getLogger("io.fabric8.kubernetes.client.dsl.internal.AbstractWatchManager").warn(
        "Error invoking onMessage completion callback", new java.util.concurrent.RejectedExecutionException("event executor terminated"));
    assertTrue(lines.isEmpty(), lines.toString());
    rejected.error("Failed to submit a listener notification task. Event loop shut down?",
        new java.util.concurrent.RejectedExecutionException("queue full"));
    assertEquals(1, lines.size(), "another rejection shows: " + lines);
  }
}
