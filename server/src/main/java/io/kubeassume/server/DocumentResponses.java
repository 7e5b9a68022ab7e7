package io.kubeassume.server;

import io.kubeassume.document.Document;
import io.kubeassume.document.Snapshot;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.Map;

/**
 * A snapshot prepared for the wire: body buffers and header values built once, shared read-only
 * by every event loop (Vert.x writes a slice of the buffer, so sharing is safe). The body buffers
 * are views of the snapshot's own bytes, not copies, and the content types are shared: a fleet
 * holds one of these per issuer.
 */
final class DocumentResponses {
  private static final Map<String, CharSequence> CONTENT_TYPES = Map.of(
      Document.JWKS_CONTENT_TYPE, HttpHeaders.createOptimized(Document.JWKS_CONTENT_TYPE),
      Document.DISCOVERY_CONTENT_TYPE, HttpHeaders.createOptimized(Document.DISCOVERY_CONTENT_TYPE));

  final Snapshot snapshot;
  final Response discovery;
  final Response jwks;

  DocumentResponses(Snapshot snapshot) {
    this.snapshot = snapshot;
    this.discovery = new Response(snapshot.discovery());
    this.jwks = new Response(snapshot.jwks());
  }

  static final class Response {
    final Buffer body;
    final CharSequence contentType;
    final CharSequence contentLength;
    final CharSequence etag;
    final String etagValue;

    Response(Document doc) {
      this.body = BufferInternal.buffer(Unpooled.wrappedBuffer(doc.view()));
      CharSequence type = CONTENT_TYPES.get(doc.contentType());
      this.contentType = type != null ? type : HttpHeaders.createOptimized(doc.contentType());
      this.contentLength = HttpHeaders.createOptimized(Integer.toString(doc.size()));
      this.etagValue = doc.etag();
      this.etag = HttpHeaders.createOptimized(doc.etag());
    }
  }
}
