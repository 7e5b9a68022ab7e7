package io.kubeassume.logging;

/**
 * Library log lines that look alarming and are not, each matched narrowly (logger, exception or message,
 * and where it comes from), kept at DEBUG so a real problem of the same kind still shows.
 */
final class LibraryNoise {
  private LibraryNoise() {}

  /**
   * Vert.x logs a connection the peer reset or closed under a write, or a client request whose connection
   * closed, at ERROR when no exception handler is set on it (a client that went away, an API server connection
   * cut). The request on it fails, and whoever made
   * it reports that; the line itself says nothing more.
   */
  static boolean peerWentAway(String logger, String message, Throwable error) {
    return error == null && (logger.equals("io.vertx.core.net.impl.ConnectionBase")
        && (message.endsWith("Connection reset by peer") || message.endsWith("Connection reset")
            || message.endsWith("Broken pipe"))
        || logger.equals("io.vertx.core.http.impl.HttpClientRequestImpl") && message.equals("Connection was closed"));
  }

  /**
   * Netty (or fabric8's watch) reports a task it cannot hand to an event loop that has already shut down; that
   * happens only while the process stops, to work that no longer matters.
   */
  static boolean notifiedAfterShutdown(String logger, Throwable error) {
    return (logger.equals("io.netty.util.concurrent.DefaultPromise.rejectedExecution")
        // fabric8 re-arms a watch's WebSocket after each message, on the event loop; a watch that was still
        // taking a message when the process stopped logs that it could not, with a stack trace.
        || logger.equals("io.fabric8.kubernetes.client.dsl.internal.AbstractWatchManager"))
        && error instanceof java.util.concurrent.RejectedExecutionException
        && "event executor terminated".equals(error.getMessage());
  }

  /**
   * fabric8 kubernetes-httpclient-vertx-5 8.0 (Vertx5HttpRequest.consumeBytes) fails its promise with
   * {@code fail} from both the request's write and its response future; when a connection is reset mid-request
   * both fire, the second throws, and Vert.x logs "Unhandled exception" with a stack trace. The request has
   * already failed with the reset, which the caller reports.
   */
  static boolean promiseFailedTwice(String logger, Throwable error) {
    return error instanceof IllegalStateException
        && "Promise already completed".equals(error.getMessage())
        && logger.startsWith("io.vertx.core.impl.")
        && throwsFrom(error, "io.vertx.core.http.impl.HttpClientRequestBase", "fail");
  }

  private static boolean throwsFrom(Throwable error, String className, String method) {
    for (StackTraceElement frame : error.getStackTrace()) {
      if (frame.getClassName().equals(className) && frame.getMethodName().equals(method)) {
        return true;
      }
    }
    return false;
  }
}
