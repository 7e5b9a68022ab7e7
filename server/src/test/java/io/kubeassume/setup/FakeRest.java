package io.kubeassume.setup;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/** A local JSON REST server for the fakes of cloud APIs: records every request, answers through a handler. */
public final class FakeRest implements AutoCloseable {
  public record Request(String method, String pathAndQuery, String authorization, String signedHeaders, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    @Override
    public String toString() {
      return method + " " + pathAndQuery;
    }
  }

  public record Reply(int status, JsonObject body) {}

  public interface Handler {
    Reply handle(Request request);
  }

  private final HttpServer server;
  private final java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newCachedThreadPool();
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

  public FakeRest(Handler handler) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> handle(ex, handler));
    // A thread per request: a handler that waits (a test holding one request) must not stall the others.
    server.setExecutor(executor);
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** "METHOD /path?query" of each request, in order. */
  public List<String> lines() {
    return requests().stream().map(Request::toString).collect(Collectors.toList());
  }

  public void clear() {
    requests.clear();
  }

  private void handle(HttpExchange ex, Handler handler) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Request r = new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath()
        + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery()),
        ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("x-content-sha256"), body);
    requests.add(r);
    Reply reply;
    try {
      reply = handler.handle(r);
    } catch (RuntimeException e) {
      reply = new Reply(500, new JsonObject().put("error", new JsonObject().put("message", e.toString())));
    }
    byte[] bytes = reply.body() == null ? new byte[0] : reply.body().encode().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
