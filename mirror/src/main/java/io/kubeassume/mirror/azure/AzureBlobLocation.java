package io.kubeassume.mirror.azure;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the documents go in Azure Blob Storage: a storage account, a container in it and the blob
 * service endpoint. Pure: validates names and works out the endpoint, touches no network.
 *
 * @param account the storage account name
 * @param container the container name ({@code $web} for a static website)
 * @param endpoint the blob service endpoint, without a trailing slash
 */
public record AzureBlobLocation(String account, String container, URI endpoint) {
  // Azure's own rules: accounts 3-24 lowercase letters/digits; containers 3-63 lowercase
  // letters/digits/single hyphens, not starting or ending with a hyphen; plus the two special ones.
  private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
  private static final Pattern CONTAINER = Pattern.compile("(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*");

  public AzureBlobLocation {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(container, "container");
    Objects.requireNonNull(endpoint, "endpoint");
  }

  /**
   * Validates {@code account} and {@code container} and resolves the endpoint.
   *
   * @param endpointOrNull {@code null} for {@code https://<account>.blob.core.windows.net}; else
   *     an http(s) URL. An emulator address without a path (IP literal or {@code localhost}, as
   *     Azurite listens) gets {@code /<account>} appended, because emulators address accounts by path.
   * @throws IllegalArgumentException naming what is wrong and what would be right
   */
  public static AzureBlobLocation of(String account, String container, URI endpointOrNull) {
    if (account == null || !ACCOUNT.matcher(account).matches()) {
      throw new IllegalArgumentException("Azure storage account name '" + account
          + "' is invalid: use 3-24 lowercase letters and digits");
    }
    if (container == null || !(CONTAINER.matcher(container).matches() || container.equals("$web") || container.equals("$root"))) {
      throw new IllegalArgumentException("Azure container name '" + container
          + "' is invalid: use 3-63 lowercase letters, digits and single hyphens (or $web for a static website)");
    }
    return new AzureBlobLocation(account, container, resolveEndpoint(account, endpointOrNull));
  }

  static URI resolveEndpoint(String account, URI endpoint) {
    if (endpoint == null) {
      return URI.create("https://" + account + ".blob.core.windows.net");
    }
    String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") || endpoint.getHost() == null) {
      throw new IllegalArgumentException("Azure blob endpoint '" + endpoint
          + "' is invalid: use an http(s) URL such as https://" + account + ".blob.core.windows.net");
    }
    if (endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
      throw new IllegalArgumentException("Azure blob endpoint '" + endpoint
          + "' must not carry a query or fragment: put a SAS token into AZURE_STORAGE_CONNECTION_STRING instead");
    }
    String s = endpoint.toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath().replace("/", "");
    if (path.isEmpty() && isEmulatorHost(endpoint.getHost())) {
      s = s + "/" + account;
    }
    return URI.create(s);
  }

  private static boolean isEmulatorHost(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.startsWith("[") || h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
  }

  /** Plain http sends credentials and tokens in the clear; only an emulator should be reached that way. */
  public boolean isHttps() {
    return "https".equalsIgnoreCase(endpoint.getScheme());
  }

  /** {@code azblob://account/container}, the name used in logs and errors. */
  public String describe() {
    return "azblob://" + account + "/" + container;
  }
}
