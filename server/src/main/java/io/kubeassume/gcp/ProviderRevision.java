package io.kubeassume.gcp;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kubeassume revision a GCP workload identity pool provider's uploaded JWKS belongs to, recorded in the
 * provider's {@code description} as {@code kubeassume-revision=N}. The provider resource has no etag and no
 * metadata, and GCP accepts nothing but the key members inside the JWKS; the description is free text of up to
 * 256 characters that nothing evaluates. It is written in the same PATCH as the keys, so the two always agree.
 * Text around the marker (an operator's own description) is kept. Pure.
 */
public final class ProviderRevision {
  /** GCP refuses a longer provider description. */
  public static final int MAX_DESCRIPTION = 256;
  static final String NAME = "kubeassume-revision=";
  private static final Pattern MARKER = Pattern.compile("\\[?" + Pattern.quote(NAME) + "(\\d{1,18})\\]?");
  private static final String DEFAULT_TEXT = "JWKS uploaded by kubeassume serve";

  private ProviderRevision() {}

  /** The revision recorded in {@code description}, or -1 if none is. */
  public static long of(String description) {
    if (description == null) {
      return -1;
    }
    Matcher m = MARKER.matcher(description);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  /** {@code description} recording {@code revision}: the marker replaced, or added after the existing text. */
  public static String apply(String description, long revision) {
    if (revision < 0) {
      throw new IllegalArgumentException("revision must not be negative");
    }
    String marker = "[" + NAME + revision + "]";
    String text = description == null ? "" : MARKER.matcher(description).replaceAll("").strip().replaceAll("\\s{2,}", " ");
    if (text.isEmpty()) {
      text = DEFAULT_TEXT;
    }
    int room = MAX_DESCRIPTION - marker.length() - 1;
    if (text.length() > room) {
      text = text.substring(0, room).strip();
    }
    return text + " " + marker;
  }
}
