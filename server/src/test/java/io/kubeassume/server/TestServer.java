package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.fail;

import io.kubeassume.config.ServeConfig;
import io.kubeassume.document.IssuerUrl;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real kubeassume server on free ports, and a real HTTP client to talk to it. */
final class TestServer implements AutoCloseable {
  static final Path DEV_PUBLIC_KEY = repoFile("certs/dev/sa.pub");
  static final Path DEV_PRIVATE_KEY = repoFile("certs/dev/sa.key");

  final KubeassumeServer server;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestServer(KubeassumeServer server) {
    this.server = server;
  }

  static ServeConfig.Builder config(String issuer, List<Path> keys) {
    return ServeConfig.builder(IssuerUrl.parse(issuer)).keys(keys).bind("127.0.0.1").port(0).managementPort(0).instances(1);
  }

  /** A server reading the API server named in {@code kubeconfig} ({@code --source kubernetes}). */
  static ServeConfig.Builder kubernetesConfig(String issuer, Path kubeconfig) {
    return config(issuer, List.of()).source(io.kubeassume.config.SourceType.KUBERNETES).kubeconfig(kubeconfig)
        .store(io.kubeassume.config.StoreType.FILE);
  }

  static TestServer start(ServeConfig config) throws Exception {
    return new TestServer(KubeassumeServer.start(config).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
  }

  /**
   * Starts a server and waits until /readyz says it serves: the ports are bound before the first key
   * sync ends, and a request in between is answered 503.
   */
  static TestServer startServing(ServeConfig config) throws Exception {
    TestServer s = start(config);
    try {
      await(Duration.ofSeconds(20), "the server is ready", io(() -> s.get(s.managementUri("/readyz")).statusCode() == 200));
    } catch (Throwable e) {
      s.close();
      throw e;
    }
    return s;
  }

  static Path repoFile(String relative) {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !p.resolve(relative).toFile().exists()) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException(relative + " not found above the working directory");
    }
    return p.resolve(relative);
  }

  /** The dev private key (PKCS#8 PEM), parsed with the JDK: nimbus's PEM parsing needs BouncyCastle. */
  static com.nimbusds.jose.jwk.RSAKey devPrivateKey() throws Exception {
    String pem = java.nio.file.Files.readString(DEV_PRIVATE_KEY).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    java.security.interfaces.RSAPrivateCrtKey priv = (java.security.interfaces.RSAPrivateCrtKey) java.security.KeyFactory
        .getInstance("RSA").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(java.util.Base64.getDecoder().decode(pem)));
    java.security.interfaces.RSAPublicKey pub = (java.security.interfaces.RSAPublicKey) java.security.KeyFactory.getInstance("RSA")
        .generatePublic(new java.security.spec.RSAPublicKeySpec(priv.getModulus(), priv.getPublicExponent()));
    return new com.nimbusds.jose.jwk.RSAKey.Builder(pub).privateKey(priv).build();
  }

  URI publicUri(String path) {
    return URI.create("http://127.0.0.1:" + server.publicPort() + path);
  }

  URI managementUri(String path) {
    return URI.create("http://127.0.0.1:" + server.managementPort() + path);
  }

  HttpResponse<String> get(URI uri, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> send(String method, URI uri) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  String jwks(String issuerPathPrefix) throws IOException, InterruptedException {
    return get(publicUri(issuerPathPrefix + "/openid/v1/jwks")).body();
  }

  String jwks() throws IOException, InterruptedException {
    return jwks("");
  }

  String metrics() throws IOException, InterruptedException {
    return get(managementUri("/metrics")).body();
  }

  /** The value of one Prometheus sample, e.g. {@code kubeassume_sync_total{source="files",status="error"}}. */
  double metric(String sample) throws IOException, InterruptedException {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(metrics());
    if (!m.find()) {
      fail("no sample " + sample + " in /metrics");
    }
    return Double.parseDouble(m.group(1));
  }

  /** Polls until the condition holds; fails after {@code within}. */
  static void await(Duration within, String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(25);
    }
    if (!condition.getAsBoolean()) {
      fail("not within " + within.toMillis() + " ms: " + what);
    }
  }

  /** Wraps IO in a BooleanSupplier for {@link #await}. */
  interface IoCondition {
    boolean holds() throws Exception;
  }

  static BooleanSupplier io(IoCondition c) {
    return () -> {
      try {
        return c.holds();
      } catch (Exception e) {
        return false;
      }
    };
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
