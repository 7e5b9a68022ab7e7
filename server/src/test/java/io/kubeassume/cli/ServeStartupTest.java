package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.logging.LogSettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Start-up failures of serve, through the command line: one line naming the cause and the fix, exit code 1. */
@Timeout(120) // a serve that starts instead of failing would run until stopped
class ServeStartupTest {
  @TempDir
  Path dir;

  /** serve with a port held by another process: the line names that port and its flag, and nothing claims to serve. */
  @Test
  void aPortInUseIsNamedWithItsFlag() throws Exception {
    for (String flag : List.of("--port", "--management-port")) {
      List<String> log = new CopyOnWriteArrayList<>();
      try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
          LogSettings.Capture ignored = LogSettings.capture(log::add)) {
        int port = taken.getLocalPort();
        String other = flag.equals("--port") ? "--management-port" : "--port";
        ServeFlagsTest.Run r = ServeFlagsTest.run(Map.of(), "serve", "--issuer-url", "http://localhost", "--source", "files",
            "--keys", ServeFlagsTest.KEY, "--bind", "127.0.0.1", flag, String.valueOf(port), other, "0");
        assertEquals(1, r.exit(), r.err());
        assertEquals(List.of("kubeassume serve: cannot start: " + flag + " " + port + " is in use on 127.0.0.1: another "
            + "process listens there; stop it or choose another port with " + flag + " ("
            + EnvironmentDefaults.variableFor(flag) + ")"), r.err().lines().toList());
      }
      assertTrue(log.stream().noneMatch(l -> l.contains(" - serving")), "nothing says it serves:\n" + String.join("\n", log));
    }
  }

  /** Only a private key and nothing stored: the reason jwks gives for the same file, and exit code 1 as jwks. */
  @Test
  void noValidKeyAndNothingStoredStopsStartUpAsJwksDoes() throws Exception {
    Path leaked = Files.copy(Path.of(ServeFlagsTest.KEY).resolveSibling("sa.key"), dir.resolve("issuer.key"));
    String reason = leaked + ": contains a private key (PRIVATE KEY); kubeassume publishes public keys only: mount the "
        + "public half, e.g. 'openssl pkey -in " + leaked + " -pubout -out " + dir.resolve("issuer.pub") + "'";

    ServeFlagsTest.Run serve = ServeFlagsTest.run(Map.of(), "serve", "--issuer-url", "http://localhost", "--source", "files",
        "--keys", leaked.toString(), "--port", "0", "--management-port", "0", "--state-file", dir.resolve("state.json").toString());
    assertEquals(1, serve.exit(), serve.err());
    assertEquals(List.of("kubeassume serve: cannot start: no valid key to serve in --keys and no stored state in "
        + dir.resolve("state.json") + ": " + reason), serve.err().lines().toList());

    ServeFlagsTest.Run jwks = ServeFlagsTest.run(Map.of(), "jwks", "--keys", leaked.toString());
    assertEquals(1, jwks.exit());
    assertEquals(List.of("kubeassume jwks: " + reason), jwks.err().lines().toList());
  }

  /** With --log-format json even the failure to start is a JSON line, so a log pipeline does not drop it. */
  @Test
  void withJsonLogsAStartUpFailureIsAJsonLine() throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        LogSettings.Capture ignored = LogSettings.capture(log::add)) {
      ServeFlagsTest.Run r = ServeFlagsTest.run(Map.of("KUBEASSUME_LOG_FORMAT", "json"), "serve", "--issuer-url",
          "http://localhost", "--source", "files", "--keys", ServeFlagsTest.KEY, "--bind", "127.0.0.1",
          "--port", String.valueOf(taken.getLocalPort()), "--management-port", "0");
      assertEquals(1, r.exit(), r.err());
      assertEquals("", r.err(), "nothing but JSON");
    } finally {
      LogSettings.format(io.kubeassume.logging.LogFormat.TEXT);
      LogSettings.level(org.slf4j.event.Level.INFO);
    }
    String failure = log.get(log.size() - 1);
    java.util.Map<String, Object> event = com.nimbusds.jose.util.JSONObjectUtils.parse(failure);
    assertEquals("ERROR", event.get("level"));
    assertTrue(((String) event.get("message")).startsWith("kubeassume serve: cannot start: --port "), failure);
    for (String line : log) {
      com.nimbusds.jose.util.JSONObjectUtils.parse(line);
    }
  }
}
