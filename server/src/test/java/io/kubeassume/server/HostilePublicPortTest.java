package io.kubeassume.server;

import static io.kubeassume.server.TestServer.await;
import static io.kubeassume.server.TestServer.io;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.config.ServeConfig;
import io.kubeassume.config.TlsFiles;
import io.kubeassume.server.guard.ConnectionLimits;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * The attacks of the robustness issue, small enough for a test but past every cap: idle and half-sent
 * connections, HTTP/2 streams held with a zero window, h2c, connections that never finish a TLS
 * handshake. Each asserts what a client sees (served or not, closed or not), never how fast.
 */
class HostilePublicPortTest {
  private static final Path DEV_TLS = TestServer.repoFile("certs/dev/tls");
  /** 20 connections and 20 in-flight responses; 1 s to send a request or take a response; 2 s idle. */
  private static final ConnectionLimits SMALL = new ConnectionLimits(20, 20, Duration.ofSeconds(1), Duration.ofSeconds(2));
  /** What a hostile connection may take to be closed on a loaded machine: deadline, sweep, scheduling. */
  private static final Duration CLOSED_WITHIN = Duration.ofSeconds(20);

  private static ServeConfig.Builder config(String issuer) {
    return TestServer.config(issuer, List.of(TestServer.DEV_PUBLIC_KEY)).limits(SMALL);
  }

  private static ServeConfig.Builder tlsConfig() {
    return config("https://localhost").tls(new TlsFiles(DEV_TLS.resolve("tls.crt"), DEV_TLS.resolve("tls.key")));
  }

  @Test
  void idleConnectionsFarPastTheCapNeverLockOutAClientThatAsks() throws Exception {
    try (TestServer s = TestServer.startServing(config("http://localhost").build());
        HostileClients attacker = new HostileClients("127.0.0.1", s.server.publicPort(), null)) {
      assertEquals(200, attacker.idle(200), "the kernel accepts them all; the server closes what it cannot keep");
      int served = 0;
      for (int i = 0; i < 10; i++) {
        attacker.idle(50);
        served += AttackRun.fetch("127.0.0.1", s.server.publicPort(), null) ? 1 : 0;
      }
      assertEquals(10, served, "a client that connects and asks at once is never the least active connection");
      assertTrue(s.metric("kubeassume_http_connections_closed_total{port=\"public\",reason=\"connection-limit\"}") > 0);
      await(CLOSED_WITHIN, "every idle connection closed by the server",
          () -> attacker.closedByServer() == attacker.size());
      assertTrue(AttackRun.fetch("127.0.0.1", s.server.publicPort(), null));
    }
  }

  @Test
  void aRequestSentByteByByteIsClosedAtTheRequestTimeoutHoweverLongItTrickles() throws Exception {
    try (TestServer s = TestServer.startServing(config("http://localhost").build());
        Socket slow = new Socket("127.0.0.1", s.server.publicPort())) {
      byte[] request = "GET /openid/v1/jwks HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1);
      slow.getOutputStream().write(request);
      long deadline = System.nanoTime() + CLOSED_WITHIN.toNanos();
      boolean closed = false;
      // One more header byte every 100 ms: each byte resets an idle timer, never the request deadline.
      while (!closed && System.nanoTime() < deadline) {
        try {
          slow.getOutputStream().write('x');
          slow.getOutputStream().flush();
        } catch (java.io.IOException e) {
          closed = true;
        }
        closed = closed || HostileClients.closedByPeer(slow);
        Thread.sleep(100);
      }
      assertTrue(closed, "the server closed the trickling connection");
      assertTrue(s.metric("kubeassume_http_connections_closed_total{port=\"public\",reason=\"request-timeout\"}") >= 1);
    }
  }

  @Test
  void anAnsweredKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    try (TestServer s = TestServer.startServing(config("http://localhost").build());
        Socket client = new Socket("127.0.0.1", s.server.publicPort())) {
      client.getOutputStream().write("GET /openid/v1/jwks HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      client.setSoTimeout(5000);
      InputStream in = client.getInputStream();
      byte[] head = new byte[12];
      assertEquals(12, in.readNBytes(head, 0, 12));
      assertEquals("HTTP/1.1 200", new String(head, StandardCharsets.ISO_8859_1));
      await(CLOSED_WITHIN, "the idle keep-alive connection closed", () -> HostileClients.closedByPeer(client));
      assertTrue(s.metric("kubeassume_http_connections_closed_total{port=\"public\",reason=\"idle-timeout\"}") >= 1);
    }
  }

  @Test
  void thePlainPortSpeaksNoH2cUnlessAskedTo() throws Exception {
    try (TestServer s = TestServer.startServing(config("http://localhost").build());
        HostileClients h2c = new HostileClients("127.0.0.1", s.server.publicPort(), null)) {
      assertEquals(0, h2c.stalledStreams(1, 1, "/openid/v1/jwks"), "the HTTP/2 preface gets no SETTINGS");
      try (Socket upgrade = new Socket("127.0.0.1", s.server.publicPort())) {
        upgrade.getOutputStream().write(("GET /openid/v1/jwks HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        upgrade.setSoTimeout(5000);
        String status = new String(upgrade.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
        assertEquals("HTTP/1.1 200", status, "answered over HTTP/1.1, not switched to h2c");
      }
    }
    try (TestServer s = TestServer.startServing(config("http://localhost").h2c(true).build());
        HostileClients h2c = new HostileClients("127.0.0.1", s.server.publicPort(), null)) {
      assertEquals(1, h2c.stalledStreams(1, 1, "/openid/v1/jwks"), "with --h2c the preface is answered");
    }
  }

  @Test
  void streamsHeldWithAZeroWindowAreReleasedAndNeverStarveAGoodClient() throws Exception {
    try (TestServer s = TestServer.startServing(config("http://localhost").h2c(true).build());
        HostileClients attacker = new HostileClients("127.0.0.1", s.server.publicPort(), null)) {
      // 10 connections x 16 streams = 160 stuck responses against a cap of 20.
      assertEquals(10, attacker.stalledStreams(10, ConnectionLimits.MAX_CONCURRENT_STREAMS, "/openid/v1/jwks"));
      int served = 0;
      for (int i = 0; i < 10; i++) {
        attacker.stalledStreams(2, ConnectionLimits.MAX_CONCURRENT_STREAMS, "/openid/v1/jwks");
        served += AttackRun.fetch("127.0.0.1", s.server.publicPort(), null) ? 1 : 0;
      }
      assertTrue(served >= 5, "at least half the good requests answered during the attack: " + served + " of 10");
      await(CLOSED_WITHIN, "every stalled connection closed by the server",
          () -> attacker.closedByServer() == attacker.size());
      assertTrue(s.metric("kubeassume_http_connections_closed_total{port=\"public\",reason=\"in-flight-limit\"}")
          + s.metric("kubeassume_http_connections_closed_total{port=\"public\",reason=\"write-timeout\"}") > 0);
      for (int i = 0; i < 5; i++) {
        assertTrue(AttackRun.fetch("127.0.0.1", s.server.publicPort(), null), "served after the attack");
      }
    }
  }

  @Test
  void overTlsStalledStreamsAndUnfinishedHandshakesAreBoundedAndAGoodClientIsServed() throws Exception {
    SSLContext tls = AttackRun.trusting(DEV_TLS.resolve("ca.crt"));
    try (TestServer s = TestServer.startServing(tlsConfig().build());
        HostileClients streams = new HostileClients("127.0.0.1", s.server.publicPort(), tls);
        HostileClients handshakes = new HostileClients("127.0.0.1", s.server.publicPort(), null)) {
      assertEquals(4, streams.stalledStreams(4, ConnectionLimits.MAX_CONCURRENT_STREAMS, "/openid/v1/jwks"));
      // TCP connections that never send a ClientHello: far more than the 16 the gate keeps.
      assertEquals(200, handshakes.idle(200));
      int served = 0;
      for (int i = 0; i < 10; i++) {
        handshakes.idle(20);
        served += AttackRun.fetch("127.0.0.1", s.server.publicPort(), tls) ? 1 : 0;
      }
      assertTrue(served >= 5, "at least half the good requests answered during the attack: " + served + " of 10");
      assertTrue(s.metric("kubeassume_http_connections_closed_total{port=\"public\",reason=\"pending-limit\"}") > 0,
          "connections that never finished a handshake were closed to make room");
      await(CLOSED_WITHIN, "every unfinished handshake closed", () -> handshakes.closedByServer() == handshakes.size());
      await(CLOSED_WITHIN, "every stalled HTTP/2 connection closed", () -> streams.closedByServer() == streams.size());
      for (int i = 0; i < 5; i++) {
        assertTrue(AttackRun.fetch("127.0.0.1", s.server.publicPort(), tls), "served after the attack");
      }
    }
  }

  @Test
  void theManagementPortHasTheSameDeadlinesAndACap() throws Exception {
    try (TestServer s = TestServer.startServing(config("http://localhost").build());
        HostileClients attacker = new HostileClients("127.0.0.1", s.server.managementPort(), null)) {
      assertEquals(100, attacker.idle(100), "past the management cap of " + ConnectionLimits.MANAGEMENT_CONNECTIONS);
      assertEquals(200, s.get(s.managementUri("/healthz")).statusCode(), "a probe still gets in");
      assertEquals(200, s.get(s.managementUri("/readyz")).statusCode());
      await(CLOSED_WITHIN, "every idle management connection closed", () -> attacker.closedByServer() == attacker.size());
      assertTrue(s.metric("kubeassume_http_connections_closed_total{port=\"management\",reason=\"connection-limit\"}") > 0);
    }
  }

  @Test
  void healthFailsWhileAPublicEventLoopIsBlockedAndRecoversAfter() throws Exception {
    try (TestServer s = TestServer.startServing(config("http://localhost").livenessLimit(Duration.ofSeconds(1)).build())) {
      assertEquals(200, s.get(s.managementUri("/healthz")).statusCode());
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      s.server.publicContexts().get(0).runOnContext(v -> {
        try {
          release.await(); // a handler that never returns: the loop can serve nothing
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      try {
        await(CLOSED_WITHIN, "/healthz fails naming the silent loop", io(() -> {
          var r = s.get(s.managementUri("/healthz"));
          return r.statusCode() == 503 && r.body().contains("public port event loop 0 has not run");
        }));
      } finally {
        release.countDown();
      }
      await(CLOSED_WITHIN, "/healthz ok again", io(() -> s.get(s.managementUri("/healthz")).statusCode() == 200));
    }
  }
}
