package io.kubeassume.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class DocumentFetcherTest {
  private static final HttpClient CLIENT = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .version(HttpClient.Version.HTTP_1_1).build();

  /** A server that sends the headers and the first bytes of a body, then nothing more (nor closes). */
  @Test
  // A safety net on its own thread: the read this guards against blocks uninterruptibly.
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void aBodyThatStallsAfterTheHeadersIsATimeoutNotAHang() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        try (Socket s = server.accept()) {
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
          for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            // request headers
          }
          OutputStream out = s.getOutputStream();
          out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"keys\":")
              .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          done.await();
        } catch (IOException | InterruptedException ignored) {
          // test over
        }
      });
      t.setDaemon(true);
      t.start();
      URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/openid/v1/jwks");
      Fetched f = new DocumentFetcher(CLIENT, Duration.ofSeconds(1), DocumentFetcher.MAX_BYTES).fetch(uri);
      done.countDown();
      assertEquals(Fetched.Failure.TIMEOUT, f.failure(), f.detail());
      assertTrue(f.detail().contains("within 1 s"), f.detail());
    }
  }

  @Test
  void aBodyLargerThanTheLimitIsRefused() throws Exception {
    try (HttpsFixture fixture = HttpsFixture.http()) {
      fixture.on("/big", HttpsFixture.Answer.json("{\"keys\":[\"" + "x".repeat(2000) + "\"]}"));
      Fetched f = new DocumentFetcher(CLIENT, Duration.ofSeconds(5), 1000).fetch(URI.create(fixture.origin() + "/big"));
      assertEquals(Fetched.Failure.TOO_LARGE, f.failure(), f.detail());
    }
  }

  @Test
  void aDocumentWithinTheLimitIsReadWhole() throws Exception {
    try (HttpsFixture fixture = HttpsFixture.http()) {
      fixture.on("/doc", HttpsFixture.Answer.json("{\"keys\":[]}"));
      Fetched f = new DocumentFetcher(CLIENT, Duration.ofSeconds(5), 1000).fetch(URI.create(fixture.origin() + "/doc"));
      assertTrue(f.ok(), f.detail());
      assertEquals("{\"keys\":[]}", f.text());
    }
  }
}
