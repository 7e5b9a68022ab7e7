package io.kubeassume.mirror.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import com.azure.storage.blob.models.BlobDownloadContentResponse;
import com.azure.storage.blob.models.BlobDownloadHeaders;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.kubeassume.mirror.MirrorConfigException;
import io.kubeassume.mirror.MirrorException;
import io.kubeassume.mirror.MirrorTarget;
import io.kubeassume.mirror.Precondition;
import io.kubeassume.mirror.PreconditionFailedException;
import io.kubeassume.mirror.StoredObject;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link MirrorTarget} in one Azure Blob Storage container, as block blobs, through the Azure SDK
 * on the JDK HTTP client (no Netty, which would clash with Vert.x's).
 *
 * <p>Token = the blob's ETag. Writes are single Put Blob calls (atomic) with {@code If-Match: <etag>}
 * or {@code If-None-Match: *}. Content-Type and Cache-Control are the blob's HTTP headers, so the
 * service sends them back to readers. The revision is blob metadata {@value #REVISION_METADATA}:
 * Azure metadata names must be C# identifiers, so the dash of {@link MirrorTarget#REVISION_METADATA}
 * is dropped. Every call blocks: keep it off event loops.
 */
public final class AzureBlobTarget implements MirrorTarget {
  /** Blob metadata name of the revision (no dash: Azure allows only C# identifiers). */
  public static final String REVISION_METADATA = "kubeassumerevision";
  /** The environment variable that, when set, supplies the credentials (and may supply the endpoint). */
  public static final String CONNECTION_STRING_ENV = "AZURE_STORAGE_CONNECTION_STRING";
  /** The built-in role that grants exactly what the mirror needs (read and write blobs). */
  public static final String REQUIRED_ROLE = "Storage Blob Data Contributor";

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  private final BlobContainerClient container;
  private final String describe;

  /** Uses {@code container} as it is configured (endpoint, credentials, pipeline). */
  public AzureBlobTarget(BlobContainerClient container) {
    this.container = Objects.requireNonNull(container, "container");
    this.describe = "azblob://" + container.getAccountName() + "/" + container.getBlobContainerName();
  }

  /**
   * Builds a client for {@code container} in {@code account}. Credentials: the connection string in
   * {@value #CONNECTION_STRING_ENV} if set (account key or SAS; also how Azurite is reached; see
   * {@link #configuredConnectionString()}), else {@code DefaultAzureCredential} (workload identity,
   * managed identity, Azure CLI, ...).
   *
   * @param endpointOrNull {@code null} for {@code https://<account>.blob.core.windows.net}
   * @throws IllegalArgumentException for an invalid name or endpoint, or credentials that cannot work
   * @throws MirrorConfigException for a plain http endpoint without a connection string
   */
  public static AzureBlobTarget create(String account, String container, URI endpointOrNull) {
    return create(account, container, endpointOrNull, configuredConnectionString());
  }

  /**
   * The JVM system property {@value #CONNECTION_STRING_ENV} if set, else the environment variable of
   * that name: the order the Azure SDK's own {@code Configuration} reads its settings in. The property
   * is for tests and embedders that run the server in a JVM whose environment they cannot change
   * (like {@code aws.accessKeyId} for the AWS SDK); deployments set the environment variable.
   */
  static String configuredConnectionString() {
    String property = System.getProperty(CONNECTION_STRING_ENV);
    return property != null && !property.isBlank() ? property : System.getenv(CONNECTION_STRING_ENV);
  }

  /** As {@link #create(String, String, URI)}, with the connection string given ({@code null}/blank: none). */
  public static AzureBlobTarget create(String account, String container, URI endpointOrNull, String connectionString) {
    AzureBlobLocation where = AzureBlobLocation.of(account, container, endpointOrNull);
    HttpClient http = new JdkHttpClientBuilder().connectionTimeout(Duration.ofSeconds(10)).build();
    if (connectionString == null || connectionString.isBlank()) {
      requireHttps(where); // before building the credential, which takes a while
      return create(where, defaultCredential(http), http);
    }
    ConnectionString cs = ConnectionString.parse(connectionString);
    if (!cs.hasCredential()) {
      throw new IllegalArgumentException(CONNECTION_STRING_ENV
          + " has neither AccountKey nor SharedAccessSignature: anonymous access cannot write; add one or unset it");
    }
    if (cs.accountName() != null && !cs.developmentStorage() && !cs.accountName().equals(account)) {
      throw new IllegalArgumentException(CONNECTION_STRING_ENV + " is for storage account '" + cs.accountName()
          + "' but the mirror names account '" + account + "': make them agree");
    }
    BlobContainerClientBuilder b = new BlobContainerClientBuilder().httpClient(http).retryOptions(retries())
        .connectionString(connectionString);
    // An explicit endpoint wins over the one the connection string implies.
    if (endpointOrNull != null) {
      b.endpoint(where.endpoint().toString());
    }
    return new AzureBlobTarget(b.containerName(container).buildClient());
  }

  /** A target that authenticates with {@code credential} (bearer tokens; {@code where} must be https). */
  static AzureBlobTarget create(AzureBlobLocation where, TokenCredential credential, HttpClient http) {
    requireHttps(where);
    return new AzureBlobTarget(new BlobContainerClientBuilder()
        .httpClient(http)
        .retryOptions(retries())
        .endpoint(where.endpoint().toString())
        .credential(credential)
        .containerName(where.container())
        .buildClient());
  }

  /** Only --mirror-endpoint can make the endpoint http, so that is the flag the error names. */
  private static void requireHttps(AzureBlobLocation where) {
    if (!where.isHttps()) {
      throw new MirrorConfigException("--mirror-endpoint", "Azure blob endpoint " + where.endpoint() + " of "
          + where.describe() + " is plain http: token credentials need https; use https, or set "
          + CONNECTION_STRING_ENV + " for an emulator");
    }
  }

  /**
   * DefaultAzureCredential: on AKS with workload identity the webhook injects AZURE_CLIENT_ID,
   * AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE; elsewhere managed identity or a developer login.
   * Building it makes no network call; the first token is fetched on the first request.
   */
  static TokenCredential defaultCredential(HttpClient http) {
    return new DefaultAzureCredentialBuilder().httpClient(http).build();
  }

  // The SDK's default waits 4 s and up to 2 min between tries; the publisher retries on the next
  // snapshot and repair pass anyway, so fail within seconds instead of minutes.
  private static RequestRetryOptions retries() {
    return new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 3, Duration.ofSeconds(20),
        Duration.ofMillis(500), Duration.ofSeconds(4), null);
  }

  @Override
  public StoredObject read(String key) {
    BlobClient blob = container.getBlobClient(key);
    try {
      BlobDownloadContentResponse r = blob.downloadContentWithResponse(null, null, CALL_TIMEOUT, Context.NONE);
      BlobDownloadHeaders h = r.getDeserializedHeaders();
      return new StoredObject(r.getValue().toBytes(), h.getETag(), revisionOf(h.getMetadata()));
    } catch (BlobStorageException e) {
      AzureFailure f = AzureFailure.classify(e.getStatusCode(), codeOf(e));
      if (f == AzureFailure.BLOB_NOT_FOUND) {
        return null;
      }
      throw failure("read", key, f, e);
    } catch (ClientAuthenticationException e) {
      throw noCredentials(e);
    } catch (RuntimeException e) {
      throw new MirrorException("cannot read " + key + " from " + describe + ": " + e.getMessage(), e);
    }
  }

  /** The revision in {@code metadata}, or {@link StoredObject#NO_REVISION}; names compare case-insensitively as Azure's do. */
  static long revisionOf(Map<String, String> metadata) {
    if (metadata == null) {
      return StoredObject.NO_REVISION;
    }
    String raw = null;
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (REVISION_METADATA.equalsIgnoreCase(e.getKey())) {
        raw = e.getValue();
      }
    }
    return StoredObject.revisionFrom(raw);
  }

  @Override
  public void write(String key, byte[] body, String contentType, String cacheControl, long revision, Precondition pre)
      throws PreconditionFailedException {
    Objects.requireNonNull(pre, "pre");
    BlobRequestConditions conditions = new BlobRequestConditions();
    if (pre instanceof Precondition.Replace r) {
      conditions.setIfMatch(r.token());
    } else {
      conditions.setIfNoneMatch("*");
    }
    BlockBlobSimpleUploadOptions upload = new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(body))
        .setHeaders(new BlobHttpHeaders().setContentType(contentType).setCacheControl(cacheControl))
        .setMetadata(Map.of(REVISION_METADATA, Long.toString(revision)))
        .setContentMd5(md5(body)) // the service rejects a body damaged on the way
        .setRequestConditions(conditions);
    try {
      container.getBlobClient(key).getBlockBlobClient().uploadWithResponse(upload, CALL_TIMEOUT, Context.NONE);
    } catch (BlobStorageException e) {
      AzureFailure f = AzureFailure.classify(e.getStatusCode(), codeOf(e));
      // A replace that finds the blob gone lost a race to a delete: read again and decide again.
      if (f == AzureFailure.CONDITION_FAILED || f == AzureFailure.BLOB_NOT_FOUND && pre instanceof Precondition.Replace) {
        throw new PreconditionFailedException("conditional write of " + key + " to " + describe + " refused ("
            + e.getStatusCode() + " " + codeOf(e) + "): " + pre, e);
      }
      throw failure("write", key, f, e);
    } catch (ClientAuthenticationException e) {
      throw noCredentials(e);
    } catch (RuntimeException e) {
      throw new MirrorException("cannot write " + key + " to " + describe + ": " + e.getMessage(), e);
    }
  }

  private static String codeOf(BlobStorageException e) {
    return e.getErrorCode() == null ? null : e.getErrorCode().toString();
  }

  private MirrorException failure(String verb, String key, AzureFailure f, BlobStorageException e) {
    String status = e.getStatusCode() + " " + codeOf(e);
    switch (f) {
      case CONTAINER_NOT_FOUND:
        return new MirrorException("container '" + container.getBlobContainerName() + "' does not exist in storage account '"
            + container.getAccountName() + "' (" + describe + ", " + status + "): create it, or fix the container in --mirror", e);
      case ACCESS_DENIED:
        return new MirrorException("access to " + describe + " denied (" + status + ") on " + verb + " of " + key
            + ": grant the identity kubeassume runs as the role '" + REQUIRED_ROLE
            + "' on the container or storage account, or fix " + CONNECTION_STRING_ENV, e);
      default:
        return new MirrorException("cannot " + verb + " " + key + " in " + describe + " (" + status + "): "
            + firstLine(e.getServiceMessage()), e);
    }
  }

  private MirrorException noCredentials(ClientAuthenticationException e) {
    return new MirrorException("no usable Azure credentials for " + describe + ": " + firstLine(e.getMessage())
        + " (use workload identity, a managed identity, or set " + CONNECTION_STRING_ENV + "; the identity needs '"
        + REQUIRED_ROLE + "')", e);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }

  private static byte[] md5(byte[] body) {
    try {
      return MessageDigest.getInstance("MD5").digest(body);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    }
  }

  @Override
  public String describe() {
    return describe;
  }
}
