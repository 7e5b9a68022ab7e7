package io.kubeassume.mirror.azure;

import static io.kubeassume.mirror.Snapshots.key;
import static io.kubeassume.mirror.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClientBuilder;
import io.kubeassume.document.Snapshot;
import io.kubeassume.mirror.DocumentPublisher;
import io.kubeassume.mirror.MirrorException;
import io.kubeassume.mirror.ObjectOutcome;
import io.kubeassume.mirror.StoredObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

/**
 * The token-credential path (what DefaultAzureCredential feeds: workload or managed identity) over
 * https against Azurite in OAuth mode. The credential here hands out Entra-shaped tokens itself, so
 * this checks how the target asks for and sends tokens, not Entra.
 */
class AzureTokenCredentialTest {
  @RegisterExtension
  static final AzuriteExtension AZURITE = AzuriteExtension.withOAuth();

  private static final String CONTAINER = "issuer";
  private HttpClient http;

  @BeforeEach
  void setUp() {
    http = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(AZURITE.sslContext())).build();
    var raw = new BlobContainerClientBuilder().httpClient(http).connectionString(AZURITE.connectionString())
        .containerName(CONTAINER).buildClient();
    raw.createIfNotExists();
  }

  private AzureBlobTarget target(TokenCredential credential) {
    return AzureBlobTarget.create(AzureBlobLocation.of(AzuriteExtension.ACCOUNT, CONTAINER, AZURITE.blobEndpoint()), credential, http);
  }

  @Test
  void publishesWithBearerTokensForTheStorageScope() throws Exception {
    RecordingCredential credential = new RecordingCredential(Duration.ofHours(1));
    AzureBlobTarget t = target(credential);
    Snapshot s = snapshot(1, key("a"));

    var result = new DocumentPublisher(t, "p", Duration.ofSeconds(60)).publish(s);

    assertEquals(ObjectOutcome.WRITTEN, result.jwks());
    assertEquals(ObjectOutcome.WRITTEN, result.discovery());
    StoredObject back = t.read("p/openid/v1/jwks");
    assertArrayEquals(s.jwks().bytes(), back.bytes());
    assertEquals(1, back.revision());
    assertTrue(credential.scopes.contains(List.of("https://storage.azure.com/.default")), credential.scopes.toString());
  }

  @Test
  void expiredTokenIsAnAccessErrorNamingTheRole() {
    AzureBlobTarget t = target(new RecordingCredential(Duration.ofHours(-1)));

    MirrorException e = assertThrows(MirrorException.class, () -> t.read("p/openid/v1/jwks"));
    assertTrue(e.getMessage().contains("denied (401") || e.getMessage().contains("denied (403"), e.getMessage());
    assertTrue(e.getMessage().contains("Storage Blob Data Contributor"), e.getMessage());
  }

  @Test
  void noCredentialAvailableSaysHowToProvideOne() {
    TokenCredential none = ctx -> Mono.error(new ClientAuthenticationException("WorkloadIdentityCredential: AZURE_FEDERATED_TOKEN_FILE is not set", null));
    AzureBlobTarget t = target(none);

    MirrorException e = assertThrows(MirrorException.class, () -> t.read("p/openid/v1/jwks"));
    assertTrue(e.getMessage().startsWith("no usable Azure credentials for azblob://devstoreaccount1/issuer"), e.getMessage());
    assertTrue(e.getMessage().contains("AZURE_FEDERATED_TOKEN_FILE"), e.getMessage());
    assertTrue(e.getMessage().contains("AZURE_STORAGE_CONNECTION_STRING"), e.getMessage());
  }

  /** Hands out unsigned Entra-shaped tokens (Azurite checks issuer, audience and lifetime only) and records the scopes asked for. */
  private static final class RecordingCredential implements TokenCredential {
    final List<List<String>> scopes = new CopyOnWriteArrayList<>();
    final Duration lifetime;

    RecordingCredential(Duration lifetime) {
      this.lifetime = lifetime;
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext ctx) {
      scopes.add(List.copyOf(ctx.getScopes()));
      long now = OffsetDateTime.now().toEpochSecond();
      long exp = now + lifetime.toSeconds();
      String header = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
      String claims = b64("{\"aud\":\"https://storage.azure.com\",\"iss\":\"https://sts.windows.net/00000000-0000-0000-0000-000000000001/\","
          + "\"iat\":" + (Math.min(now, exp) - 300) + ",\"nbf\":" + (Math.min(now, exp) - 300) + ",\"exp\":" + exp + ",\"oid\":\"00000000-0000-0000-0000-000000000002\"}");
      // The SDK refreshes tokens close to expiry; report a future expiry so it uses even the expired one.
      return Mono.just(new AccessToken(header + "." + claims + "." + b64("sig"), OffsetDateTime.now().plusHours(1)));
    }

    private static String b64(String s) {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
  }
}
