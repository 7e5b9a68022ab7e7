package io.kubeassume.server;

import io.kubeassume.document.Document;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * What a response needs beyond the snapshot, made per response so that nothing is kept per issuer
 * (a fleet holds thousands, docs/fleet.md#sizing): the content types are shared header values, the
 * ETag is the document's own string, and the body is a read-only view of the document's bytes (a
 * few small objects, gone with the response; never a copy).
 */
final class DocumentResponses {
  private static final CharSequence JWKS_TYPE = HttpHeaders.createOptimized(Document.JWKS_CONTENT_TYPE);
  private static final CharSequence DISCOVERY_TYPE = HttpHeaders.createOptimized(Document.DISCOVERY_CONTENT_TYPE);

  private DocumentResponses() {}

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
