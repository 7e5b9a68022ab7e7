package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The runnable jar, started the way the README's quick start starts it. Runs after packaging (failsafe). */
class PackagedJarIT {
  static final Path JAR = Path.of("target/kubeassume.jar").toAbsolutePath();
  static final Path KEY = Path.of(ServeFlagsTest.KEY);

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Starts the jar; its stderr goes to {@code log}, which survives the process. */
  private static Process start(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(log.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  @Test
  void theQuickStartServesTheDevKeyAndStopsCleanlyOnSigterm() throws Exception {
    String log = serveUntilSigterm();
    assertTrue(log.contains("serving revision 1"), log);
    List<String> lines = log.lines().toList();
    int stopping = indexOf(lines, " INFO ServeCommand - stopping (SIGTERM or SIGINT): ");
    int stopped = indexOf(lines, " INFO ServeCommand - stopped: the documents are no longer served");
    assertTrue(stopping >= 0 && stopped > stopping, "SIGTERM is logged, then the end of serving:\n" + log);
    assertTrue(lines.stream().noneMatch(l -> l.contains(" WARN ") || l.contains(" ERROR ")), log);
  }

  /** --log-format json: every line of the log, start to SIGTERM, is one JSON object with the fields log stores index. */
  @Test
  void jsonLogsAreOneObjectPerLine() throws Exception {
    String log = serveUntilSigterm("--log-format", "json");
    List<String> lines = log.lines().toList();
    assertTrue(lines.size() >= 4, log);
    for (String line : lines) {
      java.util.Map<String, Object> event = com.nimbusds.jose.util.JSONObjectUtils.parse(line);
      for (String field : List.of("time", "level", "logger", "message")) {
        assertTrue(event.get(field) instanceof String, field + " in " + line);
      }
    }
    assertTrue(log.contains("\"message\":\"stopped: the documents are no longer served\""), log);
  }

  private static int indexOf(List<String> lines, String part) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(part)) {
        return i;
      }
    }
    return -1;
  }

  /** Runs the quick start until it serves the dev key, stops it with SIGTERM; its log. */
  private static String serveUntilSigterm(String... extra) throws Exception {
    int port = freePort();
    int mgmt = freePort();
    Path logFile = Files.createTempFile("kubeassume", ".log");
    List<String> args = new ArrayList<>(List.of("serve", "--issuer-url", "http://localhost:" + port, "--source", "files",
        "--keys", KEY.toString(), "--port", String.valueOf(port), "--management-port", String.valueOf(mgmt)));
    args.addAll(List.of(extra));
    Process p = start(logFile, args.toArray(String[]::new));
    try {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest jwks = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/openid/v1/jwks"))
          .timeout(Duration.ofSeconds(2)).build();
      String body = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (body == null && System.nanoTime() < deadline) {
        try {
          HttpResponse<String> r = http.send(jwks, HttpResponse.BodyHandlers.ofString());
          body = r.statusCode() == 200 ? r.body() : null;
        } catch (IOException notYet) {
          Thread.sleep(20);
        }
      }
      assertTrue(body != null, "the jar served the JWKS");
      assertTrue(body.contains(Files.readString(KEY.resolveSibling("sa.kid")).strip()), body);
      HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mgmt + "/readyz")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ready.statusCode());
    } finally {
      p.destroy(); // SIGTERM
    }
    assertTrue(p.waitFor(15, TimeUnit.SECONDS), "exits after SIGTERM");
    return Files.readString(logFile);
  }

  @Test
  void aWrongFlagPrintsOneLineAndExitsWithUsageError() throws Exception {
    Path logFile = Files.createTempFile("kubeassume", ".log");
    Process p = start(logFile, "serve", "--issuer-url", "http://example.com", "--source", "files", "--keys", KEY.toString());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    String err = Files.readString(logFile);
    assertEquals(2, p.exitValue(), err);
    assertEquals(List.of("kubeassume serve: --issuer-url: 'http://example.com' must use https (cloud IAM fetches the issuer "
        + "over https; http is allowed only for localhost)"), err.lines().toList());
  }
}
