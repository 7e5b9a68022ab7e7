package io.kubeassume.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The attack measurement behind docs/security.md, run against a server in another process by
 * {@code bench/attack.sh}: an attacker keeps {@code N} hostile connections open (re-opening those the
 * server closes), while a good client fetches the JWKS on a new connection every 100 ms. Prints one
 * line per second and a summary; exit code 0 whatever the numbers (a measurement, not a test).
 *
 * <pre>
 * java -cp server/target/test-classes io.kubeassume.server.AttackRun MODE HOST PORT CA|- CONNECTIONS STREAMS SECONDS
 *   MODE: idle | half | h2-stall
 * </pre>
 */
public final class AttackRun {
  private AttackRun() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String host = args[1];
    int port = Integer.parseInt(args[2]);
    SSLContext tls = "-".equals(args[3]) ? null : trusting(Path.of(args[3]));
    int connections = Integer.parseInt(args[4]);
    int streams = Integer.parseInt(args[5]);
    int seconds = Integer.parseInt(args[6]);

    AtomicInteger good = new AtomicInteger();
    AtomicInteger bad = new AtomicInteger();
    Thread client = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        (fetch(host, port, tls) ? good : bad).incrementAndGet();
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "good-client");

    HostileClients attacker = new HostileClients(host, port, tls);
    client.start();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    int totalOk = 0;
    int totalFailed = 0;
    for (int second = 1; System.nanoTime() < end; second++) {
      // Re-open what the server closed, keeping the pressure up.
      attacker.pruneClosed();
      int missing = connections - attacker.size();
      switch (mode) {
        case "idle" -> attacker.idle(missing);
        case "half" -> attacker.halfRequests(missing);
        case "h2-stall" -> attacker.stalledStreams(missing, streams, "/openid/v1/jwks");
        default -> throw new IllegalArgumentException("mode: idle, half or h2-stall");
      }
      Thread.sleep(1000);
      int ok = good.getAndSet(0);
      int failed = bad.getAndSet(0);
      totalOk += ok;
      totalFailed += failed;
      System.out.printf("t=%ds attacker connections=%d good client ok=%d failed=%d%n", second, attacker.size(), ok, failed);
    }
    attacker.close();
    Thread.sleep(500);
    good.set(0);
    bad.set(0);
    Thread.sleep(3000);
    client.interrupt();
    client.join();
    System.out.printf("during attack: %d of %d good requests answered (%.0f %%); after: %d of %d%n", totalOk,
        totalOk + totalFailed, 100.0 * totalOk / Math.max(1, totalOk + totalFailed), good.get(), good.get() + bad.get());
  }

  /** One JWKS fetch on a new HTTP/1.1 connection, as a cloud's fetcher does; true on a complete 200. */
  static boolean fetch(String host, int port, SSLContext tls) {
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress(host, port), 5000);
      plain.setSoTimeout(5000);
      Socket s = plain;
      if (tls != null) {
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters params = ssl.getSSLParameters();
        params.setApplicationProtocols(new String[] {"http/1.1"});
        ssl.setSSLParameters(params);
        ssl.startHandshake();
        s = ssl;
      }
      s.getOutputStream().write(("GET /openid/v1/jwks HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = s.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      return response.startsWith("HTTP/1.1 200") && response.contains("\"keys\"");
    } catch (IOException e) {
      return false;
    }
  }

  static SSLContext trusting(Path caPem) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caPem)) {
      store.setCertificateEntry("ca", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }
}
