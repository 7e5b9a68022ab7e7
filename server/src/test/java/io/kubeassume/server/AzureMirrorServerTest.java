package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobStorageException;
import io.kubeassume.config.ServeConfig;
import io.kubeassume.mirror.MirrorLocation;
import io.kubeassume.mirror.azure.AzureBlobTarget;
import io.kubeassume.mirror.azure.AzuriteExtension;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server with {@code --mirror azblob://devstoreaccount1/...} against Azurite (from npm,
 * {@link AzuriteExtension}): the container holds exactly the bytes the public port serves and
 * follows a rotation. Credentials reach the server the way production reads them,
 * {@code AZURE_STORAGE_CONNECTION_STRING}, here as the JVM system property of that name (the test
 * cannot set its own environment).
 */
class AzureMirrorServerTest {
  static final Duration WITHIN = Duration.ofSeconds(20);
  private static final AtomicInteger CONTAINERS = new AtomicInteger();

  @RegisterExtension
  static final AzuriteExtension AZURITE = new AzuriteExtension();

  @TempDir
  Path dir;

  private BlobContainerClient raw;
  private String target;

  @BeforeEach
  void setUp() {
    String container = "oidc-" + CONTAINERS.incrementAndGet();
    target = "azblob://" + AzuriteExtension.ACCOUNT + "/" + container + "/clusters/prod";
    raw = new BlobContainerClientBuilder()
        .httpClient(new JdkHttpClientBuilder().build())
        .connectionString(AZURITE.connectionString())
        .containerName(container)
        .buildClient();
    raw.create();
  }

  @AfterEach
  void tearDown() {
    System.clearProperty(AzureBlobTarget.CONNECTION_STRING_ENV);
  }

  private ServeConfig.Builder config() {
    return TestServer.config("http://localhost", List.of(dir))
        .mirrors(List.of(MirrorLocation.parse(target)))
        // Long: every publish in these tests comes from a snapshot change, not from the resync timer.
        .mirrorResync(Duration.ofHours(1))
        .maxAgeSeconds(120);
  }

  /** The blob's bytes and headers, or null if there is none. */
  private Blob blob(String path) {
    var client = raw.getBlobClient("clusters/prod/" + path);
    try {
      BlobProperties p = client.getProperties();
      return new Blob(new String(client.downloadContent().toBytes(), StandardCharsets.UTF_8), p.getContentType(),
          p.getCacheControl(), p.getMetadata().get(AzureBlobTarget.REVISION_METADATA));
    } catch (BlobStorageException e) {
      if (e.getStatusCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  record Blob(String body, String contentType, String cacheControl, String revision) {}

  /** The container holds byte for byte what the public port serves, with the same Content-Type and Cache-Control. */
  private boolean mirrored(TestServer t) throws Exception {
    for (String path : List.of(".well-known/openid-configuration", "openid/v1/jwks")) {
      HttpResponse<String> served = t.get(t.publicUri("/" + path));
      Blob stored = blob(path);
      if (stored == null || served.statusCode() != 200 || !served.body().equals(stored.body())
          || !served.headers().firstValue("content-type").orElse("").equals(stored.contentType())
          || !served.headers().firstValue("cache-control").orElse("").equals(stored.cacheControl())) {
        return false;
      }
    }
    return true;
  }

  private static JsonObject mirror(TestServer t) throws Exception {
    return new JsonObject(t.get(t.managementUri("/readyz")).body()).getJsonArray("mirrors").getJsonObject(0);
  }

  @Test
  void theContainerHoldsWhatThePublicPortServesAndFollowsARotation() throws Exception {
    // The connection string names the emulator's blob endpoint, as one for Azurite does.
    System.setProperty(AzureBlobTarget.CONNECTION_STRING_ENV, AZURITE.connectionString());
    String kidA = Keys.writePem(dir.resolve("a.pub"), Keys.rsa());
    try (TestServer t = TestServer.start(config().build())) {
      TestServer.await(WITHIN, "key a served", TestServer.io(() -> t.jwks().contains(kidA)));
      TestServer.await(WITHIN, "the container holds the served documents", TestServer.io(() -> mirrored(t)));
      assertEquals("public, max-age=120", blob("openid/v1/jwks").cacheControl());
      String firstRevision = blob("openid/v1/jwks").revision();

      String kidB = Keys.writePem(dir.resolve("b.pub"), Keys.rsa());
      TestServer.await(WITHIN, "key b served", TestServer.io(() -> t.jwks().contains(kidB)));
      TestServer.await(WITHIN, "the container follows the rotation",
          TestServer.io(() -> mirrored(t) && blob("openid/v1/jwks").body().contains(kidB)));
      Blob jwks = blob("openid/v1/jwks");
      assertTrue(jwks.body().contains(kidA), "the retired key is mirrored too");
      assertTrue(Long.parseLong(jwks.revision()) > Long.parseLong(firstRevision),
          "the revision metadata moved on: " + firstRevision + " -> " + jwks.revision());

      TestServer.await(WITHIN, "readyz shows the mirrored revision",
          TestServer.io(() -> Long.valueOf(jwks.revision()).equals(mirror(t).getLong("lastPublishedRevision"))));
      JsonObject m = mirror(t);
      assertEquals(target, m.getString("target"));
      assertEquals(true, m.getBoolean("healthy"));
      assertEquals(0.0, t.metric("kubeassume_publish_errors_total{target=\"" + target + "\"}"));
      assertTrue(t.metric("kubeassume_publish_total{result=\"written\",target=\"" + target + "\"}") >= 1, "the rotation was written");
    }
  }

  @Test
  void theMirrorEndpointFlagReachesTheEmulatorWithAnAccountKeyOnly() throws Exception {
    // --mirror-endpoint http://127.0.0.1:<port> (no account path) and a connection string with only the key.
    System.setProperty(AzureBlobTarget.CONNECTION_STRING_ENV,
        "AccountName=" + AzuriteExtension.ACCOUNT + ";AccountKey=" + AzuriteExtension.ACCOUNT_KEY);
    String kidA = Keys.writePem(dir.resolve("a.pub"), Keys.rsa());
    ServeConfig config = config().mirrorEndpoint(URI.create("http://127.0.0.1:" + AZURITE.port())).build();
    try (TestServer t = TestServer.start(config)) {
      TestServer.await(WITHIN, "the container holds the served documents",
          TestServer.io(() -> t.jwks().contains(kidA) && mirrored(t)));
      TestServer.await(WITHIN, "readyz shows the mirror healthy", TestServer.io(() -> Boolean.TRUE.equals(mirror(t).getBoolean("healthy"))));
    }
  }
}
