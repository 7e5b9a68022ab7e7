package io.kubeassume.mirror.azure;

import com.azure.storage.common.StorageSharedKeyCredential;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Azurite blob service per test class, on a free port of 127.0.0.1, in memory. Register it as a
 * static field with {@code @RegisterExtension}. Installs Azurite first if needed ({@link AzuriteInstall}).
 */
public final class AzuriteExtension implements BeforeAllCallback, AfterAllCallback {
  /** Azurite's well-known development account and key (public, documented by Microsoft). */
  public static final String ACCOUNT = "devstoreaccount1";
  public static final String ACCOUNT_KEY =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
  private static final Duration STARTUP_DEADLINE = Duration.ofSeconds(120);
  private static final int START_TRIES = 3;

  private final boolean oauth;
  private Process process;
  private Thread reaper;
  private int port;
  private Path log;
  private Path tlsDir;
  private SSLContext sslContext;

  /** Plain http, shared-key and SAS authentication. */
  public AzuriteExtension() {
    this(false);
  }

  private AzuriteExtension(boolean oauth) {
    this.oauth = oauth;
  }

  /**
   * https with a fresh self-signed certificate for 127.0.0.1 and {@code --oauth basic}: bearer
   * tokens are accepted if issuer, audience and lifetime look like Entra's (the signature is not checked).
   */
  public static AzuriteExtension withOAuth() {
    return new AzuriteExtension(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Path main = AzuriteInstall.ensureInstalled();
    if (oauth) {
      makeCertificate();
    }
    IllegalStateException last = null;
    // A free port can be taken by someone else before Azurite binds it: try another one.
    for (int attempt = 0; attempt < START_TRIES && process == null; attempt++) {
      try {
        start(main);
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    if (process == null) {
      throw last;
    }
  }

  private void start(Path main) throws IOException, InterruptedException {
    int p = freePort();
    Path out = Files.createTempFile("azurite-" + p + "-", ".log");
    List<String> cmd = new ArrayList<>(List.of("node", main.toString(),
        "--blobHost", "127.0.0.1", "--blobPort", Integer.toString(p),
        "--inMemoryPersistence", "--extentMemoryLimit", "256",
        "--loose", "--skipApiVersionCheck", "--disableTelemetry", "--silent"));
    if (oauth) {
      cmd.addAll(List.of("--oauth", "basic", "--cert", tlsDir.resolve("azurite.pfx").toString(), "--pwd", STORE_PASSWORD));
    }
    Process proc = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(out.toFile())
        .start();
    Thread hook = new Thread(proc::destroyForcibly, "azurite-reaper-" + p);
    Runtime.getRuntime().addShutdownHook(hook); // in case the JVM dies before afterAll
    long deadline = System.nanoTime() + STARTUP_DEADLINE.toNanos();
    while (!answers(p)) {
      if (!proc.isAlive() || System.nanoTime() > deadline) {
        stop(proc, hook);
        throw new IllegalStateException("Azurite did not start on port " + p + " within " + STARTUP_DEADLINE.toSeconds()
            + " s (" + (proc.isAlive() ? "still running" : "exited " + proc.exitValue()) + "):\n"
            + Files.readString(out, StandardCharsets.UTF_8));
      }
      Thread.sleep(200);
    }
    this.process = proc;
    this.reaper = hook;
    this.port = p;
    this.log = out;
  }

  private static final String STORE_PASSWORD = "azurite-test";

  /** A throw-away PKCS#12 key pair for 127.0.0.1 (keytool, from the running JDK), and a client SSLContext trusting it. */
  private void makeCertificate() throws Exception {
    tlsDir = Files.createTempDirectory("azurite-tls");
    Path pfx = tlsDir.resolve("azurite.pfx");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process kt = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "azurite", "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", pfx.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD)
        .redirectErrorStream(true).start();
    String out = new String(kt.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (kt.waitFor() != 0) {
      throw new IllegalStateException("keytool failed: " + out);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(pfx)) {
      ks.load(in, STORE_PASSWORD.toCharArray());
    }
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("azurite", ks.getCertificate("azurite"));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    sslContext = SSLContext.getInstance("TLS");
    sslContext.init(null, tmf.getTrustManagers(), null);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Any HTTP answer at all (403 for an unsigned request) means the blob service is up. */
  private boolean answers(int port) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(scheme() + "://127.0.0.1:" + port + "/" + ACCOUNT + "?comp=list")
          .toURL().openConnection();
      if (c instanceof HttpsURLConnection https) {
        https.setSSLSocketFactory(sslContext.getSocketFactory());
      }
      c.setConnectTimeout(1000);
      c.setReadTimeout(2000);
      int status = c.getResponseCode();
      c.disconnect();
      return status > 0;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (process != null) {
      stop(process, reaper);
      Files.deleteIfExists(log);
      process = null;
    }
    if (tlsDir != null) {
      Files.deleteIfExists(tlsDir.resolve("azurite.pfx"));
      Files.deleteIfExists(tlsDir);
    }
  }

  private String scheme() {
    return oauth ? "https" : "http";
  }

  /** For a client of the https variant: trusts exactly this Azurite's certificate. */
  public SSLContext sslContext() {
    return sslContext;
  }

  private static void stop(Process proc, Thread hook) throws InterruptedException {
    proc.destroy();
    if (!proc.waitFor(10, TimeUnit.SECONDS)) {
      proc.destroyForcibly();
      proc.waitFor(10, TimeUnit.SECONDS);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is already exiting; the hook runs anyway
    }
  }

  public int port() {
    return port;
  }

  /** The blob endpoint, path-style as emulators use it: {@code http://127.0.0.1:<port>/devstoreaccount1}. */
  public URI blobEndpoint() {
    return URI.create(scheme() + "://127.0.0.1:" + port + "/" + ACCOUNT);
  }

  public String connectionString() {
    return connectionString(blobEndpoint());
  }

  /** An account-key connection string for the well-known account at {@code blobEndpoint} (any Azurite). */
  public static String connectionString(URI blobEndpoint) {
    return "DefaultEndpointsProtocol=" + blobEndpoint.getScheme() + ";AccountName=" + ACCOUNT + ";AccountKey=" + ACCOUNT_KEY
        + ";BlobEndpoint=" + blobEndpoint + ";";
  }

  public StorageSharedKeyCredential credential() {
    return new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY);
  }
}
