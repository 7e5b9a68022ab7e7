package io.kubeassume.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JsonHttpTest {
  private HttpServer server;
  private URI base;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/html", x -> reply(x, 200, "<!DOCTYPE html><html><body>Sign in</body></html>"));
    server.createContext("/json", x -> reply(x, 200, "{\"name\":\"pool\"}"));
    server.createContext("/empty", x -> reply(x, 204, ""));
    server.createContext("/error", x -> reply(x, 403, "{\"error\":{\"message\":\"denied\"}}"));
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void reply(com.sun.net.httpserver.HttpExchange x, int status, String body) throws java.io.IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      x.getResponseBody().write(bytes);
    }
    x.close();
  }

  private final JsonHttp http = new JsonHttp((method, uri, headers, body) -> Map.of("Authorization", "Bearer t"));

  @Test
  void aSuccessThatIsNotJsonIsAnErrorNamingTheEndpoint() {
    SetupException e = assertThrows(SetupException.class, () -> http.send("GET", base.resolve("/html"), null));
    assertTrue(e.getMessage().startsWith("GET " + base + "/html answered 200 with a body that is not JSON ('<!DOCTYPE html>"),
        e.getMessage());
  }

  @Test
  void jsonEmptyAndErrorAnswersAreReturned() throws Exception {
    assertEquals("pool", http.send("GET", base.resolve("/json"), null).json().getString("name"));
    assertTrue(http.send("DELETE", base.resolve("/empty"), null).ok());
    JsonHttp.Response denied = http.send("GET", base.resolve("/error"), null);
    assertEquals(403, denied.status());
    assertEquals("denied", denied.errorMessage());
  }
}
