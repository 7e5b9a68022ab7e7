package io.kubeassume.mirror.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.mirror.StoredObject;
import io.kubeassume.mirror.MirrorConfigException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Names, endpoints, connection strings, error meanings and metadata parsing: no network. */
class AzureBlobConfigTest {
  @Test
  void defaultEndpointIsTheAccountsPublicBlobEndpoint() {
    AzureBlobLocation l = AzureBlobLocation.of("prodoidc", "issuer", null);
    assertEquals(URI.create("https://prodoidc.blob.core.windows.net"), l.endpoint());
    assertTrue(l.isHttps());
    assertEquals("azblob://prodoidc/issuer", l.describe());
  }

  @Test
  void explicitEndpointIsKeptWithoutTrailingSlash() {
    assertEquals(URI.create("https://prodoidc.blob.core.chinacloudapi.cn"),
        AzureBlobLocation.of("prodoidc", "issuer", URI.create("https://prodoidc.blob.core.chinacloudapi.cn/")).endpoint());
    assertEquals(URI.create("http://127.0.0.1:10000/devstoreaccount1"),
        AzureBlobLocation.of("devstoreaccount1", "issuer", URI.create("http://127.0.0.1:10000/devstoreaccount1/")).endpoint());
  }

  @Test
  void emulatorEndpointWithoutPathGetsTheAccountPath() {
    assertEquals(URI.create("http://127.0.0.1:10000/devstoreaccount1"),
        AzureBlobLocation.of("devstoreaccount1", "issuer", URI.create("http://127.0.0.1:10000")).endpoint());
    assertEquals(URI.create("http://localhost:10000/devstoreaccount1"),
        AzureBlobLocation.of("devstoreaccount1", "issuer", URI.create("http://localhost:10000/")).endpoint());
    // A DNS name is an account endpoint already (account in the host name).
    assertEquals(URI.create("https://acct.example.net"),
        AzureBlobLocation.of("acct", "issuer", URI.create("https://acct.example.net")).endpoint());
  }

  @Test
  void staticWebsiteContainerIsAllowed() {
    assertEquals("$web", AzureBlobLocation.of("prodoidc", "$web", null).container());
  }

  @Test
  void invalidNamesAndEndpointsSayWhatIsAllowed() {
    IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> AzureBlobLocation.of("Prod-OIDC", "issuer", null));
    assertTrue(a.getMessage().contains("3-24 lowercase letters and digits"), a.getMessage());
    for (String bad : new String[] {"ab", "Issuer", "-issuer", "issuer-", "iss--uer", "iss_uer", "x".repeat(64), "$logs"}) {
      IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> AzureBlobLocation.of("prodoidc", bad, null), bad);
      assertTrue(c.getMessage().contains("container name '" + bad + "'"), c.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> AzureBlobLocation.of("prodoidc", "issuer", URI.create("ftp://x.example")));
    assertThrows(IllegalArgumentException.class, () -> AzureBlobLocation.of("prodoidc", "issuer", URI.create("prodoidc.blob.core.windows.net")));
    IllegalArgumentException q = assertThrows(IllegalArgumentException.class,
        () -> AzureBlobLocation.of("prodoidc", "issuer", URI.create("https://prodoidc.blob.core.windows.net/?sv=1&sig=x")));
    assertTrue(q.getMessage().contains("AZURE_STORAGE_CONNECTION_STRING"), q.getMessage());
  }

  @Test
  void connectionStringFields() {
    ConnectionString cs = ConnectionString.parse(
        "DefaultEndpointsProtocol=https;AccountName=prodoidc;AccountKey=a2V5==;EndpointSuffix=core.windows.net");
    assertEquals("prodoidc", cs.accountName());
    assertTrue(cs.hasCredential());
    assertFalse(cs.developmentStorage());
    ConnectionString sas = ConnectionString.parse("BlobEndpoint=https://x.blob.core.windows.net;SharedAccessSignature=sv=2024&sig=a=b");
    assertNull(sas.accountName());
    assertTrue(sas.hasCredential());
    assertTrue(ConnectionString.parse("UseDevelopmentStorage=true").developmentStorage());
  }

  @Test
  void errorAnswersMeanWhatTheMirrorNeeds() {
    assertEquals(AzureFailure.CONDITION_FAILED, AzureFailure.classify(412, "ConditionNotMet"));
    assertEquals(AzureFailure.CONDITION_FAILED, AzureFailure.classify(409, "BlobAlreadyExists"));
    assertEquals(AzureFailure.OTHER, AzureFailure.classify(409, "LeaseIdMissing"));
    assertEquals(AzureFailure.BLOB_NOT_FOUND, AzureFailure.classify(404, "BlobNotFound"));
    assertEquals(AzureFailure.BLOB_NOT_FOUND, AzureFailure.classify(404, null));
    assertEquals(AzureFailure.CONTAINER_NOT_FOUND, AzureFailure.classify(404, "ContainerNotFound"));
    assertEquals(AzureFailure.ACCESS_DENIED, AzureFailure.classify(403, "AuthorizationPermissionMismatch"));
    assertEquals(AzureFailure.ACCESS_DENIED, AzureFailure.classify(401, "InvalidAuthenticationInfo"));
    assertEquals(AzureFailure.OTHER, AzureFailure.classify(503, "ServerBusy"));
  }

  @Test
  void revisionMetadataIsReadCaseInsensitively() {
    assertEquals(7, AzureBlobTarget.revisionOf(Map.of("kubeassumerevision", "7")));
    assertEquals(7, AzureBlobTarget.revisionOf(Map.of("KubeassumeRevision", " 7 ")));
    assertEquals(StoredObject.NO_REVISION, AzureBlobTarget.revisionOf(Map.of("other", "7")));
    assertEquals(StoredObject.NO_REVISION, AzureBlobTarget.revisionOf(Map.of("kubeassumerevision", "x")));
    assertEquals(StoredObject.NO_REVISION, AzureBlobTarget.revisionOf(Map.of("kubeassumerevision", "-3")));
    assertEquals(StoredObject.NO_REVISION, AzureBlobTarget.revisionOf(null));
  }

  @Test
  void withoutConnectionStringTheDefaultCredentialIsBuiltWithoutNetwork() {
    // DefaultAzureCredential fetches its first token on the first request, not when built.
    AzureBlobTarget t = AzureBlobTarget.create("prodoidc", "issuer", null, null);
    assertEquals("azblob://prodoidc/issuer", t.describe());
  }

  @Test
  void tokenCredentialsRefusePlainHttp() {
    MirrorConfigException e = assertThrows(MirrorConfigException.class,
        () -> AzureBlobTarget.create("devstoreaccount1", "issuer", URI.create("http://127.0.0.1:10000"), " "));
    assertEquals("--mirror-endpoint", e.flag());
    assertTrue(e.getMessage().contains("AZURE_STORAGE_CONNECTION_STRING"), e.getMessage());
  }

  @Test
  void connectionStringWithoutCredentialIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AzureBlobTarget.create("prodoidc", "issuer", null, "BlobEndpoint=https://prodoidc.blob.core.windows.net"));
    assertTrue(e.getMessage().contains("neither AccountKey nor SharedAccessSignature"), e.getMessage());
  }

  @Test
  void connectionStringForAnotherAccountIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AzureBlobTarget.create("prodoidc", "issuer", null, "AccountName=otheracct;AccountKey=a2V5"));
    assertTrue(e.getMessage().contains("'otheracct'") && e.getMessage().contains("'prodoidc'"), e.getMessage());
  }
  @Test
  void theConnectionStringSystemPropertyIsUsedBeforeTheEnvironment() {
    // A connection string for another account is refused at creation: proof that create() read it.
    System.setProperty(AzureBlobTarget.CONNECTION_STRING_ENV, "AccountName=otheracct;AccountKey=a2V5");
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> AzureBlobTarget.create("prodoidc", "issuer", null));
      assertTrue(e.getMessage().contains("'otheracct'"), e.getMessage());
      System.setProperty(AzureBlobTarget.CONNECTION_STRING_ENV, " ");
      assertEquals(System.getenv(AzureBlobTarget.CONNECTION_STRING_ENV), AzureBlobTarget.configuredConnectionString(),
          "a blank property falls back to the environment");
    } finally {
      System.clearProperty(AzureBlobTarget.CONNECTION_STRING_ENV);
    }
    assertEquals(System.getenv(AzureBlobTarget.CONNECTION_STRING_ENV), AzureBlobTarget.configuredConnectionString());
  }
}
