package io.kubeassume.logging;

/**
 * Library defects whose only effect is an alarming log line, each matched narrowly (logger, exception,
 * message and the frame that throws), kept at DEBUG so a real problem of the same kind still shows.
 */
final class KnownDefects {
  private KnownDefects() {}

  /**
   * fabric8 kubernetes-httpclient-vertx-5 8.0 (Vertx5HttpRequest.consumeBytes) fails its promise with
   * {@code fail} from both the request's write and its response future; when a connection is reset mid-request
   * both fire, the second throws, and Vert.x logs "Unhandled exception" with a stack trace. The request has
   * already failed with the reset, which the caller reports.
   */
  static boolean harmless(String logger, Throwable error) {
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
