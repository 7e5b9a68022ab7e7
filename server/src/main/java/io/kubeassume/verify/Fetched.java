package io.kubeassume.verify;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The result of fetching one document the way cloud IAM does. Never an exception: a failure is data.
 *
 * @param uri       the URL asked for
 * @param redirects the URLs redirected to, in order (empty if none)
 * @param status    the final HTTP status, or 0 if no response came
 * @param body      the body of a 200 response (null otherwise)
 * @param failure   what went wrong, or {@link Failure#NONE}
 * @param detail    the failure in words (null on success)
 */
public record Fetched(URI uri, List<URI> redirects, int status, byte[] body, Failure failure, String detail) {
  public enum Failure {
    NONE,
    /** Not fetched, e.g. an http URL off this machine that cloud IAM would never fetch. */
    NOT_ATTEMPTED,
    UNREACHABLE,
    /** An https URL whose port answers plain http. */
    NOT_TLS,
    TLS,
    TIMEOUT,
    HTTP_STATUS,
    TOO_LARGE,
    REDIRECT_LOOP,
    TOO_MANY_REDIRECTS,
    INSECURE_REDIRECT
  }

  public Fetched {
    redirects = List.copyOf(redirects);
  }

  public static Fetched ok(URI uri, List<URI> redirects, byte[] body) {
    return new Fetched(uri, redirects, 200, body, Failure.NONE, null);
  }

  public static Fetched failed(URI uri, List<URI> redirects, int status, Failure failure, String detail) {
    return new Fetched(uri, redirects, status, null, failure, detail);
  }

  public boolean ok() {
    return failure == Failure.NONE;
  }

  /** Where the document finally came from. */
  public URI finalUri() {
    return redirects.isEmpty() ? uri : redirects.get(redirects.size() - 1);
  }

  public String text() {
    return body == null ? null : new String(body, StandardCharsets.UTF_8);
  }
}
