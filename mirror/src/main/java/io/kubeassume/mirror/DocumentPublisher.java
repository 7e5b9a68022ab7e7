package io.kubeassume.mirror;

import io.kubeassume.document.Document;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.document.Snapshot;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Publishes a {@link Snapshot} to one {@link MirrorTarget} under a key prefix: first
 * {@code <prefix>/openid/v1/jwks}, then {@code <prefix>/.well-known/openid-configuration}, so a
 * reader never finds a discovery document pointing at keys that are not there yet.
 *
 * <p>Per object: read, {@linkplain PublishDecision#decide decide}, conditional write. A refused
 * write means another writer got there first; it is not success: the object is read again and the
 * decision made again, up to {@code maxAttempts} times with a jittered pause in between. If the
 * JWKS turns out superseded by a newer revision, the discovery document is left alone.
 *
 * <p>Blocking (the target makes SDK calls): run it on a worker thread, never on an event loop.
 * One instance may be shared; it holds no mutable state.
 */
public final class DocumentPublisher {
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final Duration DEFAULT_BASE_BACKOFF = Duration.ofMillis(20);

  /** Pauses between attempts; replaceable so tests need not sleep. */
  @FunctionalInterface
  public interface Pause {
    void pause(Duration d) throws InterruptedException;
  }

  private final MirrorTarget target;
  private final String jwksKey;
  private final String discoveryKey;
  private final String cacheControl;
  private final int maxAttempts;
  private final Duration baseBackoff;
  private final Pause pause;

  public DocumentPublisher(MirrorTarget target, String prefix, Duration maxAge) {
    this(target, prefix, maxAge, DEFAULT_MAX_ATTEMPTS, DEFAULT_BASE_BACKOFF, d -> Thread.sleep(d.toMillis()));
  }

  public DocumentPublisher(MirrorTarget target, String prefix, Duration maxAge, int maxAttempts, Duration baseBackoff, Pause pause) {
    this.target = Objects.requireNonNull(target, "target");
    if (maxAge.isNegative()) {
      throw new IllegalArgumentException("maxAge must not be negative");
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    String p = normalizePrefix(prefix);
    this.jwksKey = p + IssuerUrl.JWKS_SUFFIX.substring(1);
    this.discoveryKey = p + IssuerUrl.DISCOVERY_SUFFIX.substring(1);
    this.cacheControl = "public, max-age=" + maxAge.toSeconds();
    this.maxAttempts = maxAttempts;
    this.baseBackoff = Objects.requireNonNull(baseBackoff, "baseBackoff");
    this.pause = Objects.requireNonNull(pause, "pause");
  }

  /** "" for no prefix, else the prefix without surrounding slashes and with one trailing slash. */
  static String normalizePrefix(String prefix) {
    String p = prefix == null ? "" : prefix.strip();
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.isEmpty() ? "" : p + "/";
  }

  public String jwksKey() {
    return jwksKey;
  }

  public String discoveryKey() {
    return discoveryKey;
  }

  public String cacheControl() {
    return cacheControl;
  }

  /**
   * Publishes both documents of {@code snapshot}.
   *
   * @throws MirrorException if the store fails, or if every attempt for an object lost a race
   * @throws InterruptedException if interrupted while pausing between attempts
   */
  public PublishResult publish(Snapshot snapshot) throws InterruptedException {
    int[] lostRaces = {0};
    ObjectOutcome jwks = publishOne(jwksKey, snapshot.jwks(), snapshot.revision(), lostRaces);
    ObjectOutcome discovery = jwks == ObjectOutcome.SUPERSEDED
        ? ObjectOutcome.SKIPPED
        : publishOne(discoveryKey, snapshot.discovery(), snapshot.revision(), lostRaces);
    return new PublishResult(target.describe(), snapshot.revision(), jwks, discovery, lostRaces[0]);
  }

  private ObjectOutcome publishOne(String key, Document doc, long revision, int[] lostRaces) throws InterruptedException {
    byte[] body = doc.bytes();
    PreconditionFailedException last = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) {
        pause.pause(backoff(attempt));
      }
      PublishDecision decision = PublishDecision.decide(target.read(key), body, revision);
      if (decision instanceof PublishDecision.Unchanged) {
        return ObjectOutcome.UNCHANGED;
      }
      if (decision instanceof PublishDecision.Superseded) {
        return ObjectOutcome.SUPERSEDED;
      }
      try {
        target.write(key, body, doc.contentType(), cacheControl, revision, decision.precondition());
        return ObjectOutcome.WRITTEN;
      } catch (PreconditionFailedException e) {
        lostRaces[0]++;
        last = e;
      }
    }
    throw new MirrorException(
        "gave up writing " + key + " to " + target.describe() + " after " + maxAttempts + " attempts lost to concurrent writers", last);
  }

  /** base × 2^(attempt-2), with full jitter: uniformly in [0, that]. */
  private Duration backoff(int attempt) {
    long cap = baseBackoff.toMillis() << Math.min(attempt - 2, 10);
    return Duration.ofMillis(cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1));
  }
}
