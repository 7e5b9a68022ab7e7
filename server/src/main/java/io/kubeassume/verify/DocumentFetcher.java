package io.kubeassume.verify;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Fetches a document as cloud IAM does: anonymous GET, a few redirects at most (never from https
 * to http, never in a loop), a time limit, and a size limit, so a broken issuer is reported instead
 * of hanging or exhausting this process. Redirects are followed here, not by the client, so each
 * hop is checked and reported.
 */
public final class DocumentFetcher {
  /** Most redirects followed, as many as the JDK client follows on its own. */
  public static final int MAX_REDIRECTS = 5;
  /** verify's own ceiling on a document; no cloud documents one, and 200 keys are well under 200 KiB. */
  public static final int MAX_BYTES = 1024 * 1024;

  private final HttpClient client;
  private final Duration timeout;
  private final int maxBytes;

  /** @param client a client that does not follow redirects itself */
  public DocumentFetcher(HttpClient client, Duration timeout, int maxBytes) {
    if (client.followRedirects() != HttpClient.Redirect.NEVER) {
      throw new IllegalArgumentException("the client must not follow redirects; DocumentFetcher checks each hop");
    }
    this.client = client;
    this.timeout = timeout;
    this.maxBytes = maxBytes;
  }

  public Fetched fetch(URI uri) {
    List<URI> redirects = new ArrayList<>();
    Set<URI> seen = new HashSet<>();
    seen.add(uri);
    URI current = uri;
    while (true) {
      HttpRequest request = HttpRequest.newBuilder(current).timeout(timeout).GET()
          .header("Accept", "application/json").build();
      // The request timeout ends when the headers arrive; the deadline here also covers the body, so an issuer
      // that sends headers and then stalls is a timeout (as for cloud IAM), not a verify that never returns.
      CompletableFuture<HttpResponse<Body>> pending = client.sendAsync(request, this::body);
      HttpResponse<Body> response;
      try {
        response = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        pending.cancel(true);
        return Fetched.failed(uri, redirects, 0, Fetched.Failure.TIMEOUT, current + " did not send the document within "
            + timeout.toSeconds() + " s");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof HttpConnectTimeoutException) {
          return Fetched.failed(uri, redirects, 0, Fetched.Failure.TIMEOUT, "no connection to " + hostPort(current)
              + " within " + timeout.toSeconds() + " s");
        }
        if (cause instanceof HttpTimeoutException) {
          return Fetched.failed(uri, redirects, 0, Fetched.Failure.TIMEOUT, current + " did not answer within "
              + timeout.toSeconds() + " s");
        }
        return ioFailure(uri, redirects, current, cause instanceof IOException io ? io : new IOException(cause));
      } catch (InterruptedException e) {
        pending.cancel(true);
        Thread.currentThread().interrupt();
        return Fetched.failed(uri, redirects, 0, Fetched.Failure.UNREACHABLE, "interrupted");
      }
      int status = response.statusCode();
      if (status >= 300 && status < 400 && status != 304) {
        String location = response.headers().firstValue("Location").orElse(null);
        if (location == null) {
          return Fetched.failed(uri, redirects, status, Fetched.Failure.HTTP_STATUS, current + " answered "
              + status + " without a Location header");
        }
        URI next;
        try {
          next = current.resolve(location);
        } catch (IllegalArgumentException e) {
          return Fetched.failed(uri, redirects, status, Fetched.Failure.HTTP_STATUS, current + " redirects to an invalid URL '"
              + location + "'");
        }
        if ("https".equals(current.getScheme()) && !"https".equals(next.getScheme())) {
          redirects.add(next);
          return Fetched.failed(uri, redirects, status, Fetched.Failure.INSECURE_REDIRECT, current + " redirects from https to "
              + next);
        }
        redirects.add(next);
        if (!seen.add(next)) {
          return Fetched.failed(uri, redirects, status, Fetched.Failure.REDIRECT_LOOP, "redirect loop: " + chain(uri, redirects));
        }
        if (redirects.size() > MAX_REDIRECTS) {
          return Fetched.failed(uri, redirects, status, Fetched.Failure.TOO_MANY_REDIRECTS, "more than " + MAX_REDIRECTS
              + " redirects: " + chain(uri, redirects));
        }
        current = next;
        continue;
      }
      if (status != 200) {
        return Fetched.failed(uri, redirects, status, Fetched.Failure.HTTP_STATUS, current + " answered HTTP " + status);
      }
      Body body = response.body();
      if (body.tooLarge() != null) {
        return tooLarge(uri, redirects, current, body.tooLarge());
      }
      return Fetched.ok(uri, redirects, body.bytes());
    }
  }

  /** A 200 body of at most maxBytes, or why it was refused; other statuses' bodies are not read. */
  private record Body(byte[] bytes, String tooLarge) {}

  private HttpResponse.BodySubscriber<Body> body(HttpResponse.ResponseInfo info) {
    if (info.statusCode() != 200) {
      return HttpResponse.BodySubscribers.replacing(new Body(null, null));
    }
    long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
    if (declared > maxBytes) {
      return HttpResponse.BodySubscribers.replacing(new Body(null, declared + " bytes"));
    }
    return new LimitedBody(maxBytes);
  }

  /** Collects a body up to a limit and stops reading (cancels) as soon as it is exceeded. */
  private static final class LimitedBody implements HttpResponse.BodySubscriber<Body> {
    private final int limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<Body> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    LimitedBody(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<Body> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : buffers) {
        if (bytes.size() + b.remaining() > limit) {
          subscription.cancel();
          result.complete(new Body(null, "more than " + limit + " bytes"));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        bytes.writeBytes(chunk);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(new Body(bytes.toByteArray(), null));
    }
  }

  private Fetched tooLarge(URI uri, List<URI> redirects, URI current, String size) {
    return Fetched.failed(uri, redirects, 200, Fetched.Failure.TOO_LARGE, current + " sent " + size
        + "; verify reads at most " + maxBytes + " bytes");
  }

  private static Fetched ioFailure(URI uri, List<URI> redirects, URI current, IOException e) {
    Throwable t = e;
    while (t != null) {
      if (t instanceof SSLException && (String.valueOf(t.getMessage()).contains("nrecognized SSL message")
          || String.valueOf(t.getMessage()).contains("plaintext connection"))) {
        // The JDK's words for an answer that is not TLS at all ("Unrecognized SSL message, plaintext connection?",
        // "Unsupported or unrecognized SSL message"): a plain-http port behind an https URL.
        return Fetched.failed(uri, redirects, 0, Fetched.Failure.NOT_TLS, hostPort(current)
            + " answered in plain http, not TLS, to " + current);
      }
      if (t instanceof SSLException) {
        return Fetched.failed(uri, redirects, 0, Fetched.Failure.TLS, "TLS handshake with " + hostPort(current)
            + " failed: " + t.getMessage());
      }
      if (t instanceof HttpTimeoutException) {
        return Fetched.failed(uri, redirects, 0, Fetched.Failure.TIMEOUT, current + " timed out");
      }
      t = t.getCause();
    }
    String what = e instanceof ConnectException ? "connection refused or host unreachable"
        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    return Fetched.failed(uri, redirects, 0, Fetched.Failure.UNREACHABLE, "cannot reach " + hostPort(current) + " (" + what + ")");
  }

  private static String hostPort(URI u) {
    int port = u.getPort() != -1 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
    return u.getHost() + ":" + port;
  }

  private static String chain(URI first, List<URI> redirects) {
    StringBuilder b = new StringBuilder(first.toString());
    redirects.forEach(r -> b.append(" -> ").append(r));
    return b.toString();
  }
}
