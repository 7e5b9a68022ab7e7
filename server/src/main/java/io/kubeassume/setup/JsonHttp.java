package io.kubeassume.setup;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * JSON over the JDK HttpClient for the clouds whose SDKs are not used here (their documented REST APIs).
 * Auth headers come from each cloud's own auth library, through {@link Auth}.
 */
public final class JsonHttp {
  /** Headers that authenticate one request (bearer token, or an OCI signature over the request). */
  public interface Auth {
    Map<String, String> headers(String method, URI uri, Map<String, String> headers, String body) throws SetupException;
  }

  public record Response(int status, JsonObject json, String text) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }

    /** The cloud's own error message, if its body has one. */
    public String errorMessage() {
      if (json != null) {
        Object error = json.getValue("error");
        if (error instanceof JsonObject e && e.getString("message") != null) {
          return e.getString("message");
        }
        if (json.getString("message") != null) {
          return json.getString("message");
        }
        if (json.getString("detail") != null) {
          return json.getString("detail");
        }
      }
      return text.isBlank() ? "HTTP " + status : text.strip().replaceAll("\\s+", " ");
    }
  }

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15)).build();
  private final Auth auth;

  public JsonHttp(Auth auth) {
    this.auth = auth;
  }

  public Response send(String method, URI uri, JsonObject body) throws SetupException {
    String text = body == null ? "" : body.encode();
    Map<String, String> base = body == null ? Map.of("Accept", "application/json")
        : Map.of("Accept", "application/json", "Content-Type", "application/json");
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8));
    base.forEach(b::header);
    auth.headers(method, uri, base, text).forEach((k, v) -> {
      // The JDK sets these itself (to the same values a signer computed) and refuses them from callers.
      if (!k.equalsIgnoreCase("host") && !k.equalsIgnoreCase("content-length")) {
        b.header(k, v);
      }
    });
    HttpResponse<String> r;
    try {
      r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // The cause tells callers that retry (the gcp-wif mirror) an unreachable endpoint from a refusal.
      throw new SetupException(method + " " + uri.getScheme() + "://" + uri.getAuthority() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SetupException("interrupted during " + method + " " + uri);
    }
    JsonObject json = null;
    String s = r.body() == null ? "" : r.body();
    if (s.strip().startsWith("{")) {
      try {
        json = new JsonObject(s);
      } catch (DecodeException ignored) {
        // not JSON after all: the text is kept for the error message
      }
    }
    if (r.statusCode() >= 200 && r.statusCode() < 300 && json == null && !s.isBlank()) {
      // A success that is not JSON is not the cloud's API (a proxy, a login page, a wrong --*-endpoint):
      // say so here rather than let each caller read a missing field as "nothing there".
      String start = s.strip().replaceAll("\\s+", " ");
      throw new SetupException(method + " " + uri.getScheme() + "://" + uri.getAuthority() + uri.getRawPath()
          + " answered " + r.statusCode() + " with a body that is not JSON ('"
          + (start.length() > 60 ? start.substring(0, 60) + "...'" : start + "'")
          + "): is the endpoint the cloud's API?");
    }
    return new Response(r.statusCode(), json, s);
  }
}
