package io.kubeassume.server;

import io.kubeassume.document.Document;
import io.kubeassume.document.Snapshot;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * A snapshot prepared for the wire: what a response needs beyond the snapshot itself, kept as
 * small as it can be, because a fleet holds one per issuer (docs/fleet.md#sizing). The ETags are
 * kept as ready header values; the content types are shared by every issuer; the body buffer is a
 * read-only view of the document's own bytes made per response (a few small objects, gone with
 * the response), so nothing but the bytes themselves is kept for the body.
 */
final class DocumentResponses {
  private static final CharSequence JWKS_TYPE = HttpHeaders.createOptimized(Document.JWKS_CONTENT_TYPE);
  private static final CharSequence DISCOVERY_TYPE = HttpHeaders.createOptimized(Document.DISCOVERY_CONTENT_TYPE);

  final Snapshot snapshot;
  private final CharSequence discoveryEtag;
  private final CharSequence jwksEtag;

  DocumentResponses(Snapshot snapshot) {
    this.snapshot = snapshot;
    this.discoveryEtag = HttpHeaders.createOptimized(snapshot.discovery().etag());
    this.jwksEtag = HttpHeaders.createOptimized(snapshot.jwks().etag());
  }

  Document document(boolean discovery) {
    return discovery ? snapshot.discovery() : snapshot.jwks();
  }

  CharSequence etag(boolean discovery) {
    return discovery ? discoveryEtag : jwksEtag;
  }

  static CharSequence contentType(Document doc) {
    String type = doc.contentType();
    if (type.equals(Document.JWKS_CONTENT_TYPE)) {
      return JWKS_TYPE;
    }
    return type.equals(Document.DISCOVERY_CONTENT_TYPE) ? DISCOVERY_TYPE : type;
  }

  /** The body for one response: a read-only view of the document's bytes, not a copy. */
  static Buffer body(Document doc) {
    return BufferInternal.buffer(Unpooled.wrappedBuffer(doc.view()));
  }
}
