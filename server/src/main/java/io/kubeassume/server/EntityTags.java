package io.kubeassume.server;

/** If-None-Match evaluation (RFC 9110 §13.1.2): weak comparison, lists, and "*". Allocation-free. */
final class EntityTags {
  private EntityTags() {}

  /**
   * True if {@code ifNoneMatch} names {@code etag} (a quoted strong tag), so the client's copy is current.
   */
  static boolean matches(String ifNoneMatch, String etag) {
    int len = ifNoneMatch.length();
    int i = 0;
    while (i < len) {
      char c = ifNoneMatch.charAt(i);
      if (c == ' ' || c == '\t' || c == ',') {
        i++;
        continue;
      }
      if (c == '*') {
        return true;
      }
      if (c == 'W' && i + 1 < len && ifNoneMatch.charAt(i + 1) == '/') {
        i += 2; // weak comparison: W/"x" matches "x"
      }
      if (i >= len || ifNoneMatch.charAt(i) != '"') {
        return false; // malformed: treat as no match, so the client gets the full document
      }
      int close = ifNoneMatch.indexOf('"', i + 1);
      if (close < 0) {
        return false;
      }
      if (close + 1 - i == etag.length() && ifNoneMatch.regionMatches(i, etag, 0, etag.length())) {
        return true;
      }
      i = close + 1;
    }
    return false;
  }
}
