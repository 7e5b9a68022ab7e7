package io.kubeassume.document;

import io.kubeassume.keys.KeyIds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/** One rendered document: immutable bytes, its media type and a strong ETag derived from the bytes. */
public final class Document {
  public static final String DISCOVERY_CONTENT_TYPE = "application/json";
  public static final String JWKS_CONTENT_TYPE = "application/jwk-set+json";

  private final byte[] body;
  private final String contentType;
  private final String etag;

  Document(byte[] body, String contentType) {
    this.body = body.clone();
    this.contentType = contentType;
    // 128 bits of SHA-256 is plenty to tell versions apart; quoted, so it is a strong ETag.
    byte[] digest = KeyIds.sha256(body);
    this.etag = "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16)) + "\"";
  }

  /** A copy of the bytes. */
  public byte[] bytes() {
    return body.clone();
  }

  /** The bytes as a read-only view, not copied: for a server that writes them to many clients. */
  public ByteBuffer view() {
    return ByteBuffer.wrap(body).asReadOnlyBuffer();
  }

  public int size() {
    return body.length;
  }

  public String contentType() {
    return contentType;
  }

  /** Strong ETag, quotes included. */
  public String etag() {
    return etag;
  }

  public String asString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  public boolean sameContentAs(Document other) {
    return Arrays.equals(body, other.body);
  }
}
