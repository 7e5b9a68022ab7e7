package io.kubeassume.merge;

import io.kubeassume.keys.SigningKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rotation-safe merging, pure: served keys = the source's current keys ∪ keys that left the source
 * less than {@code overlap} ago. A key that comes back is current again. At most {@code maxKeys}
 * keys are served: the oldest retired keys are dropped first, a current key never is.
 */
public final class KeyMerger {
  static final Comparator<KeyRecord> SERVING_ORDER =
      Comparator.comparing(KeyRecord::firstSeen).thenComparing(KeyRecord::kid);

  /** The merger built last by {@link #of}: a fleet's issuers mostly share one overlap, and a merger is immutable. */
  private static volatile KeyMerger shared;

  private final Duration overlap;
  private final int maxKeys;

  /** A merger for these settings; the same instance as the last one asked for if the settings are the same. */
  public static KeyMerger of(Duration overlap, int maxKeys) {
    KeyMerger last = shared;
    if (last != null && last.overlap.equals(overlap) && last.maxKeys == maxKeys) {
      return last;
    }
    last = new KeyMerger(overlap, maxKeys);
    shared = last;
    return last;
  }

  public KeyMerger(Duration overlap, int maxKeys) {
    if (overlap.isNegative() || overlap.isZero()) {
      throw new IllegalArgumentException("overlap must be positive");
    }
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1");
    }
    this.overlap = overlap;
    this.maxKeys = maxKeys;
  }

  public Duration overlap() {
    return overlap;
  }

  /**
   * Merges the source's current keys into the previous state at time {@code now}.
   *
   * @throws KeyConflictException if a kid names two different keys, or the current keys alone
   *     exceed {@code maxKeys}; the previous state stays valid and must keep being served
   */
  public MergeOutcome merge(MergeState previous, List<SigningKey> current, Instant now) throws KeyConflictException {
    Map<String, SigningKey> currentByKid = distinctByKid(current);
    if (currentByKid.size() > maxKeys) {
      throw new KeyConflictException("source", "it has " + currentByKid.size() + " current keys, more than --max-keys "
          + maxKeys + "; remove unused keys from the source or raise --max-keys (AWS accepts at most 100)");
    }
    Map<String, KeyRecord> previousByKid = new LinkedHashMap<>();
    previous.keys().forEach(r -> previousByKid.put(r.kid(), r));
    for (SigningKey key : currentByKid.values()) {
      KeyRecord before = previousByKid.get(key.kid());
      if (before != null && !before.key().thumbprint().equals(key.thumbprint())) {
        throw new KeyConflictException(key.origin(), "kid " + key.kid() + " is already used by a different key (first seen "
            + before.firstSeen() + "); tokens signed with that key would stop verifying: give the new key its own kid");
      }
    }
    return merge(previous, currentByKid, now);
  }

  /**
   * Applies the end of overlap windows without reading the source, at time {@code now}: the merge
   * of the state's own current (non-retired) keys. Retired keys whose window has ended leave;
   * every other key and time stays. For a sync loop whose source is failing: a retirement is
   * honoured on time, and nothing new is asked of the source.
   */
  public MergeOutcome expire(MergeState state, Instant now) {
    Map<String, SigningKey> current = new LinkedHashMap<>();
    for (KeyRecord record : state.keys()) {
      if (!record.isRetired()) {
        current.putIfAbsent(record.kid(), record.key());
      }
    }
    // No bound check: dropping keys never exceeds --max-keys that the state did not already exceed.
    return merge(state, current, now);
  }

  /** The merge itself, conflicts ruled out: each kid of {@code currentByKid} names the material the state has for it. */
  private MergeOutcome merge(MergeState previous, Map<String, SigningKey> currentByKid, Instant now) {
    Map<String, KeyRecord> previousByKid = new LinkedHashMap<>();
    previous.keys().forEach(r -> previousByKid.put(r.kid(), r));

    List<RotationEvent> events = new ArrayList<>();
    List<KeyRecord> next = new ArrayList<>();
    for (SigningKey key : currentByKid.values()) {
      KeyRecord before = previousByKid.get(key.kid());
      if (before == null) {
        next.add(new KeyRecord(key, now, null));
        events.add(new RotationEvent(RotationEvent.Type.NEW_KEY, key.kid()));
        continue;
      }
      if (before.isRetired()) {
        events.add(new RotationEvent(RotationEvent.Type.KEY_RETURNED, key.kid()));
      }
      next.add(new KeyRecord(key, before.firstSeen(), null));
    }

    List<KeyRecord> retired = new ArrayList<>();
    for (KeyRecord before : previous.keys()) {
      if (currentByKid.containsKey(before.kid())) {
        continue;
      }
      Instant retiredAt = before.isRetired() ? before.retiredAt() : now;
      if (!before.isRetired()) {
        events.add(new RotationEvent(RotationEvent.Type.KEY_RETIRED, before.kid()));
      }
      if (!now.isBefore(retiredAt.plus(overlap))) {
        events.add(new RotationEvent(RotationEvent.Type.KEY_EXPIRED, before.kid()));
        continue;
      }
      retired.add(new KeyRecord(before.key(), before.firstSeen(), retiredAt));
    }

    // Over the bound: drop the retired keys that retired longest ago.
    retired.sort(Comparator.comparing(KeyRecord::retiredAt).thenComparing(KeyRecord::kid));
    while (!retired.isEmpty() && next.size() + retired.size() > maxKeys) {
      KeyRecord dropped = retired.remove(0);
      events.add(new RotationEvent(RotationEvent.Type.KEY_EVICTED, dropped.kid()));
    }
    next.addAll(retired);
    next.sort(SERVING_ORDER);

    MergeState candidate = new MergeState(previous.revision(), next);
    boolean documentsChanged = !candidate.servesSameKeysAs(previous);
    MergeState state = documentsChanged ? new MergeState(previous.revision() + 1, next) : candidate;
    if (!documentsChanged && state.sameAs(previous)) {
      // Nothing changed: the previous state itself, so a caller that keeps it (a poll after a poll) keeps one copy.
      return new MergeOutcome(previous, events, false, false);
    }
    return new MergeOutcome(state, events, documentsChanged, true);
  }

  /** Drops exact duplicates (the same key in two files); a kid naming two keys is a conflict. */
  private static Map<String, SigningKey> distinctByKid(List<SigningKey> keys) throws KeyConflictException {
    Map<String, SigningKey> byKid = new LinkedHashMap<>();
    for (SigningKey key : keys) {
      SigningKey seen = byKid.putIfAbsent(key.kid(), key);
      if (seen != null && !seen.thumbprint().equals(key.thumbprint())) {
        throw new KeyConflictException(key.origin(), "kid " + key.kid() + " is also used by a different key in "
            + seen.origin() + "; every key needs its own kid");
      }
    }
    return byKid;
  }
}
