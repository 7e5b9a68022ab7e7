package io.kubeassume.merge;

import io.kubeassume.keys.SigningKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.Optional;

/**
 * Everything that must survive a restart: the served keys with their history and the document
 * revision. {@code keys} is exactly the served set, ordered by first-seen time then kid, so the
 * rendered documents are deterministic. The revision grows by one each time the served set changes.
 */
public record MergeState(long revision, List<KeyRecord> keys) {
  public static final MergeState EMPTY = new MergeState(0, List.of());

  public MergeState {
    if (revision < 0) {
      throw new IllegalArgumentException("revision must not be negative");
    }
    keys = List.copyOf(keys);
  }

  public List<SigningKey> servedKeys() {
    return keys.stream().map(KeyRecord::key).toList();
  }

  public long currentKeyCount() {
    return keys.stream().filter(k -> !k.isRetired()).count();
  }

  /** When the next retired key leaves the documents, if any is retired. */
  public Optional<Instant> nextExpiry(Duration overlap) {
    return oldestRetirement().map(at -> at.plus(overlap));
  }

  /** When the served key that was retired first left the source, if any served key is retired. */
  public Optional<Instant> oldestRetirement() {
    return keys.stream().filter(KeyRecord::isRetired).map(KeyRecord::retiredAt).min(Instant::compareTo);
  }

  /** Same served documents: same keys in the same order (history aside). */
  public boolean servesSameKeysAs(MergeState other) {
    if (keys.size() != other.keys.size()) {
      return false;
    }
    for (int i = 0; i < keys.size(); i++) {
      if (!keys.get(i).key().sameAs(other.keys.get(i).key())) {
        return false;
      }
    }
    return true;
  }

  /**
   * This state with each key replaced by the instance {@code known} gives for it (an identical key held
   * elsewhere, such as the source's), or this state if none is replaced: so one copy of each key is kept.
   */
  public MergeState withKeysFrom(UnaryOperator<SigningKey> known) {
    List<KeyRecord> shared = null;
    for (int i = 0; i < keys.size(); i++) {
      KeyRecord r = keys.get(i);
      SigningKey k = known.apply(r.key());
      if (k != r.key() && k.sameAs(r.key())) {
        if (shared == null) {
          shared = new ArrayList<>(keys);
        }
        shared.set(i, new KeyRecord(k, r.firstSeen(), r.retiredAt()));
      }
    }
    return shared == null ? this : new MergeState(revision, shared);
  }

  /** Same documents and same history: nothing to persist. */
  public boolean sameAs(MergeState other) {
    if (revision != other.revision || keys.size() != other.keys.size()) {
      return false;
    }
    for (int i = 0; i < keys.size(); i++) {
      if (!keys.get(i).sameAs(other.keys.get(i))) {
        return false;
      }
    }
    return true;
  }
}
