package io.kubeassume.mirror;

import java.util.Arrays;
import java.util.Objects;

/**
 * An object as read from a store: its bytes, the store's opaque concurrency token (for S3 the
 * ETag) and the kubeassume revision from its metadata ({@code -1} when the object has none, for
 * example because something else wrote it).
 */
public final class StoredObject {
  /** Revision reported for an object without (valid) {@code kubeassume-revision} metadata. */
  public static final long NO_REVISION = -1;

  private final byte[] body;
  private final String token;
  private final long revision;

  public StoredObject(byte[] body, String token, long revision) {
    this.body = Objects.requireNonNull(body, "body").clone();
    this.token = Objects.requireNonNull(token, "token");
    this.revision = revision;
  }

  /** A {@code kubeassume-revision} metadata value as stored, or {@link #NO_REVISION} if absent, negative or not a number. */
  public static long revisionFrom(String raw) {
    if (raw == null) {
      return NO_REVISION;
    }
    try {
      long r = Long.parseLong(raw.strip());
      return r < 0 ? NO_REVISION : r;
    } catch (NumberFormatException e) {
      return NO_REVISION;
    }
  }

  public byte[] bytes() {
    return body.clone();
  }

  public boolean hasSameBytesAs(byte[] other) {
    return Arrays.equals(body, other);
  }

  public String token() {
    return token;
  }

  public long revision() {
    return revision;
  }

  @Override
  public String toString() {
    return "StoredObject[" + body.length + " bytes, token=" + token + ", revision=" + revision + "]";
  }
}
