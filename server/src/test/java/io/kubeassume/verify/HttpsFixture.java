package io.kubeassume.verify;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * A small local web server (https with a test CA's certificate, or plain http) whose answers the
 * test sets per path: a document, a status, or a redirect. Unknown paths answer 404.
 */
public final class HttpsFixture implements AutoCloseable {
  /** One canned answer. */
  public record Answer(int status, String contentType, byte[] body, String location) {
    public static Answer json(String body) {
      return new Answer(200, "application/json", body.getBytes(StandardCharsets.UTF_8), null);
    }

    public static Answer status(int status) {
      return new Answer(status, "text/plain", ("HTTP " + status).getBytes(StandardCharsets.UTF_8), null);
    }

    public static Answer redirect(String location) {
      return new Answer(302, "text/plain", new byte[0], location);
    }
  }

  /** Answers a request dynamically, e.g. by proxying it. */
  public interface Handler {
    Answer answer(String path) throws IOException;
  }

  private final HttpServer server;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private volatile Handler fallback = path -> Answer.status(404);

  private HttpsFixture(HttpServer server) {
    this.server = server;
    server.createContext("/", this::handle);
    server.start();
  }

  public static HttpsFixture https(SSLContext tls) throws IOException {
    HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.setHttpsConfigurator(new HttpsConfigurator(tls));
    return new HttpsFixture(s);
  }

  public static HttpsFixture http() throws IOException {
    return new HttpsFixture(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** https://127.0.0.1:PORT or http://127.0.0.1:PORT. */
  public String origin() {
    return (server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + port();
  }

  /**
   * Serves an issuer at {@link #origin()}: its discovery document (RS256) and a JWKS of {@code keys}' public
   * halves, as the API server or kubeassume would.
   */
  public HttpsFixture servesIssuer(com.nimbusds.jose.jwk.JWK... keys) {
    String issuer = origin();
    on("/.well-known/openid-configuration", Answer.json(com.nimbusds.jose.util.JSONObjectUtils.toJSONString(Map.of(
        "issuer", issuer, "jwks_uri", issuer + "/openid/v1/jwks", "response_types_supported", java.util.List.of("id_token"),
        "subject_types_supported", java.util.List.of("public"),
        "id_token_signing_alg_values_supported", java.util.List.of("RS256")))));
    java.util.List<Object> jwks = new java.util.ArrayList<>();
    for (com.nimbusds.jose.jwk.JWK k : keys) {
      jwks.add(k.toPublicJWK().toJSONObject());
    }
    return on("/openid/v1/jwks", Answer.json(com.nimbusds.jose.util.JSONObjectUtils.toJSONString(Map.of("keys", jwks))));
  }

  public HttpsFixture on(String path, Answer answer) {
    answers.put(path, answer);
    return this;
  }

  public HttpsFixture otherwise(Handler handler) {
    fallback = handler;
    return this;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      Answer a = answers.get(path);
      if (a == null) {
        a = fallback.answer(path);
      }
      if (a.contentType() != null) {
        ex.getResponseHeaders().set("Content-Type", a.contentType());
      }
      if (a.location() != null) {
        ex.getResponseHeaders().set("Location", a.location());
      }
      ex.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
      if (a.body().length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(a.body());
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
