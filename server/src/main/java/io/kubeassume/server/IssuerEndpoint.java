package io.kubeassume.server;

import io.kubeassume.document.IssuerUrl;
import io.vertx.core.http.HttpHeaders;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the public port serves for one issuer: its URL (for routing), its Cache-Control value, and
 * its current documents, which the issuer's pipeline swaps as it syncs. Immutable but for the
 * documents; shared read-only by every event loop.
 *
 * @param id the issuer's name in metrics and logs: {@code namespace/name} of an OIDCIssuer, the
 *     entry's name in an issuers file, or {@code default} for the issuer of the single-issuer flags
 */
public record IssuerEndpoint(String id, IssuerUrl issuer, CharSequence cacheControl, CurrentDocuments documents) {
  /** One header value per max-age, shared by the issuers that have it. */
  private static final Map<Long, CharSequence> CACHE_CONTROL = new ConcurrentHashMap<>();

  public IssuerEndpoint(String id, IssuerUrl issuer, long maxAgeSeconds, CurrentDocuments documents) {
    this(id, issuer, CACHE_CONTROL.computeIfAbsent(maxAgeSeconds, s -> HttpHeaders.createOptimized("public, max-age=" + s)),
        documents);
  }
}
