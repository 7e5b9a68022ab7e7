package io.kubeassume.gcp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.kubeassume.verify.TestCa;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A local fake of Google's Security Token Service token exchange ({@code POST /v1/token}), over https with a
 * certificate from a test CA (google-auth accepts only an https token URL). It is what google-auth's external
 * account credentials call for a workload identity federation credential configuration: the subject token read
 * from a file is exchanged for an access token, which {@link FakeIam} is told to accept.
 *
 * <p>google-auth talks to it through google-http-client's default transport, which uses the JVM's default
 * https socket factory: {@link #trust()} makes that trust the test CA until closed.
 */
public final class FakeSts implements AutoCloseable {
  private final HttpsServer server;
  private final TestCa ca;
  private final FakeIam iam;
  private final AtomicInteger issued = new AtomicInteger();
  /** The subject tokens exchanged, in order. */
  public final List<String> subjectTokens = new CopyOnWriteArrayList<>();

  public FakeSts(FakeIam iam) throws Exception {
    this.iam = iam;
    this.ca = TestCa.create("fake-sts");
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ca.server("127.0.0.1").sslContext()));
    server.createContext("/v1/token", this::exchange);
    server.start();
  }

  /** The token URL for a credential configuration. */
  public String tokenUrl() {
    return "https://127.0.0.1:" + server.getAddress().getPort() + "/v1/token";
  }

  /** Undoes {@link #trust()}. */
  public interface Trust extends AutoCloseable {
    @Override
    void close();
  }

  /** Makes the JVM's default https socket factory trust this fake's CA; closing restores the previous one. */
  public Trust trust() throws Exception {
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("fake-sts-root", ca.root);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    SSLSocketFactory previous = HttpsURLConnection.getDefaultSSLSocketFactory();
    HttpsURLConnection.setDefaultSSLSocketFactory(ctx.getSocketFactory());
    return () -> HttpsURLConnection.setDefaultSSLSocketFactory(previous);
  }

  private void exchange(HttpExchange ex) throws IOException {
    try (ex) {
      Map<String, String> form = new LinkedHashMap<>();
      for (String pair : new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
      JsonObject answer;
      int status;
      if (!"POST".equals(ex.getRequestMethod())
          || !"urn:ietf:params:oauth:grant-type:token-exchange".equals(form.get("grant_type"))
          || form.get("subject_token") == null || form.get("subject_token").isBlank()) {
        status = 400;
        answer = new JsonObject().put("error", "invalid_request").put("error_description", "not a token exchange");
      } else {
        subjectTokens.add(form.get("subject_token"));
        String token = "sts-token-" + issued.incrementAndGet();
        iam.accept(token);
        status = 200;
        answer = new JsonObject().put("access_token", token)
            .put("issued_token_type", "urn:ietf:params:oauth:token-type:access_token").put("token_type", "Bearer")
            .put("expires_in", 3600);
      }
      byte[] body = answer.encode().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(status, body.length);
      ex.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
