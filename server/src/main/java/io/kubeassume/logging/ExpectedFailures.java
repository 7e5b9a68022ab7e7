package io.kubeassume.logging;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Tells failures the world causes (DNS, refused or reset connections, timeouts, an HTTP error from
 * the API server, a Lease conflict) from bugs. An expected failure is logged as one line with its
 * causes; a bug (or any failure on a logger at DEBUG) with its stack trace.
 */
public final class ExpectedFailures {
  private ExpectedFailures() {}

  /** True if something in the cause chain is an I/O failure, a timeout, or an HTTP answer from the API server. */
  public static boolean expected(Throwable t) {
    for (Throwable c : chain(t)) {
      if (c instanceof IOException || c instanceof TimeoutException
          || (c instanceof KubernetesClientException k && k.getCode() > 0)
          || c.getClass().getName().equals("io.vertx.core.http.HttpClosedException")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The causes on one line, outermost first, each once:
   * {@code KubernetesClientException: Operation: [get] ... failed; caused by: UnknownHostException: kubernetes.default.svc}.
   */
  public static String summary(Throwable t) {
    List<String> parts = new ArrayList<>();
    for (Throwable c : chain(t)) {
      String part = c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + oneLine(c.getMessage()));
      // Wrappers often repeat their cause's message ("IOException: x" around "x"); say it once.
      if (parts.isEmpty() || c.getMessage() == null || !parts.get(parts.size() - 1).endsWith(oneLine(c.getMessage()))) {
        parts.add(part);
      }
    }
    return String.join("; caused by: ", parts);
  }

  private static List<Throwable> chain(Throwable t) {
    List<Throwable> out = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
      out.add(c);
    }
    return out;
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
