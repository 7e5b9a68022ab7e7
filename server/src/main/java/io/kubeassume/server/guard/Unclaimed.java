package io.kubeassume.server.guard;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Connections accepted but not yet handed to HTTP (a TLS handshake under way, or with h2c the first
 * bytes not yet read), oldest first, at most {@code max}: adding one more gives back the oldest to
 * close. Pure and not thread-safe; {@link AcceptGate} locks around it.
 */
final class Unclaimed<K, V> {
  private final int max;
  private final LinkedHashMap<K, V> byAge = new LinkedHashMap<>();

  Unclaimed(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    this.max = max;
  }

  /** Adds {@code value}; returns the oldest value if that made one too many (it is forgotten), else null. */
  V add(K key, V value) {
    byAge.put(key, value);
    if (byAge.size() <= max) {
      return null;
    }
    Iterator<Map.Entry<K, V>> oldest = byAge.entrySet().iterator();
    V evicted = oldest.next().getValue();
    oldest.remove();
    return evicted;
  }

  /** Forgets {@code key} if it still maps to {@code value} (a reused key may belong to a newer connection). */
  void remove(K key, V value) {
    byAge.remove(key, value);
  }

  /** Forgets {@code key}: its connection is now HTTP and the HTTP guard holds it. */
  void claim(K key) {
    byAge.remove(key);
  }

  int size() {
    return byAge.size();
  }

  int max() {
    return max;
  }
}
