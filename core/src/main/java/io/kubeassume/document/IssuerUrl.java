package io.kubeassume.document;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The issuer URL exactly as tokens carry it in {@code iss}, and the paths derived from it.
 * OIDC discovery strips one trailing slash and appends {@code /.well-known/openid-configuration};
 * the API server's {@code jwks_uri} is the issuer plus {@code /openid/v1/jwks}.
 */
public final class IssuerUrl {
  public static final String DISCOVERY_SUFFIX = "/.well-known/openid-configuration";
  public static final String JWKS_SUFFIX = "/openid/v1/jwks";

  private final String value;
  private final String pathPrefix;
  private final boolean hasPort;
  private final String host;

  private IssuerUrl(String value, String pathPrefix, boolean hasPort, String host) {
    this.value = value;
    this.pathPrefix = pathPrefix;
    this.hasPort = hasPort;
    this.host = host;
  }

  /**
   * Parses and checks an issuer URL: https (http only for localhost and loopback addresses),
   * a host, no user info, no query, no fragment.
   *
   * @throws IllegalArgumentException with a message that says what to change
   */
  public static IssuerUrl parse(String raw) {
    if (raw == null || raw.isBlank()) {
      throw new IllegalArgumentException("is empty; set it to the public https URL of the issuer, e.g. https://oidc.example.com");
    }
    URI uri;
    try {
      uri = new URI(raw);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + raw + "' is not a valid URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    if (!uri.isAbsolute() || uri.getHost() == null) {
      throw new IllegalArgumentException("'" + raw + "' is not an absolute URL with a host; use e.g. https://oidc.example.com");
    }
    if (!scheme.equals("https") && !(scheme.equals("http") && isLoopback(uri.getHost()))) {
      throw new IllegalArgumentException("'" + raw + "' must use https (cloud IAM fetches the issuer over https; "
          + "http is allowed only for localhost)");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("'" + raw + "' must not contain user info");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("'" + raw + "' must not have a query or fragment");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String prefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    // Interned: a fleet's issuers mostly share a host, and each one keeps its IssuerUrl for as long as it is served.
    return new IssuerUrl(raw, prefix, uri.getPort() != -1, uri.getHost().toLowerCase(Locale.ROOT).intern());
  }

  private static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    // Only IP literals (a dotted quad, or IPv6 with a colon): never resolve a name to validate a flag.
    if (!h.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !(h.contains(":") && h.matches("[0-9a-f:.]+"))) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The issuer exactly as configured: what the discovery document's {@code issuer} and every token's {@code iss} hold. */
  public String value() {
    return value;
  }

  /** True if the URL names a port: AWS IAM rejects such issuers. */
  public boolean hasPort() {
    return hasPort;
  }

  /** The host, lower case, without the port: what a request's Host header names. */
  public String host() {
    return host;
  }

  /** The path under which the documents are served, without a trailing slash: "" or e.g. {@code /clusters/a}. */
  public String pathPrefix() {
    return pathPrefix;
  }

  /**
   * True if this issuer lies under {@code prefix} (an https URL such as {@code https://oidc.example.com/clusters/}):
   * the same scheme and host, and a path that starts with the prefix's path at a segment boundary.
   */
  public boolean isUnder(String prefix) {
    URI p;
    try {
      p = new URI(prefix);
    } catch (URISyntaxException e) {
      return false;
    }
    URI me = URI.create(value);
    if (p.getScheme() == null || p.getHost() == null || !p.getScheme().equalsIgnoreCase(me.getScheme())
        || !p.getHost().equalsIgnoreCase(me.getHost()) || p.getPort() != me.getPort()) {
      return false;
    }
    String want = p.getRawPath() == null ? "" : p.getRawPath();
    String path = me.getRawPath() == null ? "" : me.getRawPath();
    if (want.isEmpty() || want.equals("/")) {
      return true;
    }
    String dir = want.endsWith("/") ? want : want + "/";
    return path.equals(want) || path.startsWith(dir);
  }

  /** The issuer with one trailing slash removed, the base that discovery appends to. */
  public String base() {
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  public String jwksUri() {
    return base() + JWKS_SUFFIX;
  }

  /** Request path of the discovery document on this server, e.g. {@code /clusters/a/.well-known/openid-configuration}. */
  public String discoveryPath() {
    return pathPrefix + DISCOVERY_SUFFIX;
  }

  /** Request path of the JWKS on this server, e.g. {@code /clusters/a/openid/v1/jwks}. */
  public String jwksPath() {
    return pathPrefix + JWKS_SUFFIX;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IssuerUrl other && other.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return value;
  }
}
