package io.kubeassume.mirror;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One target's meters. Prometheus names: kubeassume_publish_total{target,result},
 * kubeassume_publish_errors_total{target}, kubeassume_last_publish_timestamp_seconds{target},
 * kubeassume_publish_duration_seconds{target}, kubeassume_published_revision{target}, all registered up
 * front; and, registered the first time they apply, the result {@code standby} and
 * kubeassume_publish_left_out_keys{target}.
 */
final class MirrorMetrics {
  static final String WRITTEN = "written";
  static final String UNCHANGED = "unchanged";
  static final String SUPERSEDED = "superseded";
  static final String STANDBY = "standby";
  static final String ERROR = "error";

  private final MeterRegistry registry;
  private final String target;
  private final Tags tags;
  private final Map<String, Counter> results = new ConcurrentHashMap<>();
  private final Counter errors;
  private final Timer duration;
  private final AtomicLong lastSuccessMillis = new AtomicLong();
  private final AtomicLong leftOut = new AtomicLong();
  private volatile boolean leftOutRegistered;
  private final AtomicLong publishedRevision = new AtomicLong();

  MirrorMetrics(MeterRegistry registry, String target) {
    this(registry, target, null);
  }

  /** @param issuer a fleet issuer's id, added as the {@code issuer} tag of every series; null for the single issuer */
  MirrorMetrics(MeterRegistry registry, String target, String issuer) {
    this.registry = registry;
    this.target = target;
    this.tags = issuer == null ? Tags.of("target", target) : Tags.of("target", target, "issuer", issuer);
    for (String r : new String[] {WRITTEN, UNCHANGED, SUPERSEDED, ERROR}) {
      result(r);
    }
    errors = Counter.builder("kubeassume.publish.errors").description("Failed publishes to a mirror")
        .tags(tags).register(registry);
    duration = Timer.builder("kubeassume.publish.duration").description("Time to publish both documents to a mirror")
        .tags(tags).register(registry);
    Gauge.builder("kubeassume.last.publish.timestamp", lastSuccessMillis, a -> a.get() / 1000.0)
        .description("Unix time of the last successful publish (written, unchanged, superseded or standby) to a mirror")
        .baseUnit("seconds").tags(tags).strongReference(true).register(registry);
    // Compared with kubeassume_document_revision: a target behind the served revision for long missed a rotation.
    Gauge.builder("kubeassume.published.revision", publishedRevision, AtomicLong::get)
        .description("Revision of the served documents a mirror was last seen to hold (written, unchanged, "
            + "or superseded by a newer one); 0 before the first successful publish")
        .tags(tags).strongReference(true).register(registry);
  }

  private Counter result(String result) {
    return results.computeIfAbsent(result, r -> Counter.builder("kubeassume.publish")
        .description("Publishes to a mirror by result").tags(tags).tag("result", r).register(registry));
  }

  void succeeded(String result, long revision, long nanos, long atMillis, int leftOutKeys) {
    result(result).increment();
    duration.record(nanos, TimeUnit.NANOSECONDS);
    lastSuccessMillis.set(atMillis);
    publishedRevision.accumulateAndGet(revision, Math::max);
    leftOut(leftOutKeys);
  }

  /** Removes this target's series (a fleet issuer was removed, or its mirrors stopped on this replica). */
  void close() {
    registry.getMeters().stream().filter(m -> target.equals(m.getId().getTag("target")))
        .filter(m -> m.getId().getName().startsWith("kubeassume.publish") || m.getId().getName().startsWith("kubeassume.last.publish")
            || m.getId().getName().startsWith("kubeassume.published"))
        .toList().forEach(registry::remove);
  }

  void failed(long nanos) {
    result(ERROR).increment();
    errors.increment();
    duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Registered with the first key left out, so targets that hold every key (the buckets) have no such series. */
  private void leftOut(int keys) {
    leftOut.set(keys);
    if (keys > 0 && !leftOutRegistered) {
      leftOutRegistered = true;
      Gauge.builder("kubeassume.publish.left.out.keys", leftOut, AtomicLong::get)
          .description("Served keys a mirror cannot hold and so does not have (GCP's uploaded JWKS takes 8)")
          .tags(tags).strongReference(true).register(registry);
    }
  }

  /** The label of a successful publish: written if anything was written, else superseded, standby or unchanged. */
  static String label(PublishResult r) {
    if (r.wroteAnything()) {
      return WRITTEN;
    }
    if (r.superseded()) {
      return SUPERSEDED;
    }
    return r.deferred() ? STANDBY : UNCHANGED;
  }
}
