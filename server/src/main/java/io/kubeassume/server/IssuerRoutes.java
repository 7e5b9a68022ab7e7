package io.kubeassume.server;

import io.kubeassume.document.IssuerUrl;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which issuer a public request is for, by one exact lookup whatever the number of issuers: the
 * request path minus the document suffix is the issuer's path; where several issuers share a path
 * (they differ by host), the Host header decides. An issuer whose path no other issuer has is
 * served whatever the Host (as a single issuer always was). Immutable: the registry builds a new
 * table when issuers come or go and swaps it in.
 */
final class IssuerRoutes {
  static final int DISCOVERY = 0;
  static final int JWKS = 1;
  static final IssuerRoutes EMPTY = new IssuerRoutes(List.of());

  /** A request's issuer and which of its two documents is asked for. */
  record Match(IssuerEndpoint endpoint, int document) {}

  /** By path: one endpoint, or, where hosts share a path, a map host → endpoint. */
  private final Map<String, Object> byPath;
  private final int size;
  private final boolean sharedPaths;

  IssuerRoutes(Collection<IssuerEndpoint> endpoints) {
    Map<String, Object> paths = new HashMap<>();
    for (IssuerEndpoint e : endpoints) {
      String path = e.issuer().pathPrefix();
      Object there = paths.get(path);
      if (there == null) {
        paths.put(path, e);
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, IssuerEndpoint> byHost = there instanceof Map<?, ?> m ? (Map<String, IssuerEndpoint>) m : new HashMap<>();
      if (there instanceof IssuerEndpoint single) {
        byHost.put(single.issuer().host(), single);
      }
      IssuerEndpoint clash = byHost.putIfAbsent(e.issuer().host(), e);
      if (clash != null) {
        throw new IllegalArgumentException("issuers " + clash.id() + " and " + e.id() + " both claim "
            + e.issuer().host() + path + " (" + clash.issuer() + ", " + e.issuer() + ")");
      }
      paths.put(path, byHost);
    }
    this.byPath = paths;
    this.size = endpoints.size();
    this.sharedPaths = paths.values().stream().anyMatch(v -> v instanceof Map<?, ?>);
  }

  /** The issuer and document a request asks for, or null (404). {@code host} may be null or carry a port. */
  Match find(String host, String path) {
    int document;
    String issuerPath;
    if (path.endsWith(IssuerUrl.JWKS_SUFFIX)) {
      document = JWKS;
      issuerPath = path.substring(0, path.length() - IssuerUrl.JWKS_SUFFIX.length());
    } else if (path.endsWith(IssuerUrl.DISCOVERY_SUFFIX)) {
      document = DISCOVERY;
      issuerPath = path.substring(0, path.length() - IssuerUrl.DISCOVERY_SUFFIX.length());
    } else {
      return null;
    }
    Object there = byPath.get(issuerPath);
    if (there instanceof IssuerEndpoint single) {
      return new Match(single, document);
    }
    if (there instanceof Map<?, ?> byHost && host != null) {
      Object e = byHost.get(normalizedHost(host));
      return e == null ? null : new Match((IssuerEndpoint) e, document);
    }
    return null;
  }

  int size() {
    return size;
  }

  /** Whether some issuers share a path, so a request's Host must be read to route it. */
  boolean sharedPaths() {
    return sharedPaths;
  }

  /** Lower case, without a port (an IPv6 literal keeps its brackets). */
  static String normalizedHost(String host) {
    int colon = host.lastIndexOf(':');
    String h = colon > 0 && host.indexOf(']') < colon && (host.charAt(0) != '[' || host.charAt(colon - 1) == ']')
        ? host.substring(0, colon) : host;
    return h.toLowerCase(java.util.Locale.ROOT);
  }
}
