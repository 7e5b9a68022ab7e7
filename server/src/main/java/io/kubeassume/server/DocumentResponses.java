package io.kubeassume.server;

import io.kubeassume.document.Document;
import io.kubeassume.document.Snapshot;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;

/**
 * A snapshot prepared for the wire: body buffers and header values built once, shared read-only
 * by every event loop (Vert.x writes a slice of the buffer, so sharing is safe).
 */
final class DocumentResponses {
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
      this.body = Buffer.buffer(doc.bytes());
      this.contentType = HttpHeaders.createOptimized(doc.contentType());
      this.contentLength = HttpHeaders.createOptimized(Integer.toString(doc.size()));
      this.etagValue = doc.etag();
      this.etag = HttpHeaders.createOptimized(doc.etag());
    }
  }
}
