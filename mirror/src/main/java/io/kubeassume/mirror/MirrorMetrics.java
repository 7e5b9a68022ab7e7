package io.kubeassume.mirror;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One target's meters, registered up front. Prometheus names:
 * kubeassume_publish_total{target,result}, kubeassume_publish_errors_total{target},
 * kubeassume_last_publish_timestamp_seconds{target}, kubeassume_publish_duration_seconds{target},
 * kubeassume_published_revision{target}.
 */
final class MirrorMetrics {
  static final String WRITTEN = "written";
  static final String UNCHANGED = "unchanged";
  static final String SUPERSEDED = "superseded";
  static final String ERROR = "error";

  private final Map<String, Counter> results;
  private final Counter errors;
  private final Timer duration;
  private final AtomicLong lastSuccessMillis = new AtomicLong();
  private final AtomicLong publishedRevision = new AtomicLong();

  MirrorMetrics(MeterRegistry registry, String target) {
    results = Map.of(
        WRITTEN, result(registry, target, WRITTEN),
        UNCHANGED, result(registry, target, UNCHANGED),
        SUPERSEDED, result(registry, target, SUPERSEDED),
        ERROR, result(registry, target, ERROR));
    errors = Counter.builder("kubeassume.publish.errors").description("Failed publishes to a mirror")
        .tag("target", target).register(registry);
    duration = Timer.builder("kubeassume.publish.duration").description("Time to publish both documents to a mirror")
        .tag("target", target).register(registry);
    Gauge.builder("kubeassume.last.publish.timestamp", lastSuccessMillis, a -> a.get() / 1000.0)
        .description("Unix time of the last successful publish (written, unchanged or superseded) to a mirror")
        .baseUnit("seconds").tag("target", target).strongReference(true).register(registry);
    // Compared with kubeassume_document_revision: a target behind the served revision for long missed a rotation.
    Gauge.builder("kubeassume.published.revision", publishedRevision, AtomicLong::get)
        .description("Revision of the served documents a mirror was last seen to hold (written, unchanged, "
            + "or superseded by a newer one); 0 before the first successful publish")
        .tag("target", target).strongReference(true).register(registry);
  }

  private static Counter result(MeterRegistry registry, String target, String result) {
    return Counter.builder("kubeassume.publish").description("Publishes to a mirror by result")
        .tag("target", target).tag("result", result).register(registry);
  }

  void succeeded(String result, long revision, long nanos, long atMillis) {
    results.get(result).increment();
    duration.record(nanos, TimeUnit.NANOSECONDS);
    lastSuccessMillis.set(atMillis);
    publishedRevision.accumulateAndGet(revision, Math::max);
  }

  void failed(long nanos) {
    results.get(ERROR).increment();
    errors.increment();
    duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The label of a successful publish: written if anything was written, else superseded or unchanged. */
  static String label(PublishResult r) {
    if (r.wroteAnything()) {
      return WRITTEN;
    }
    return r.superseded() ? SUPERSEDED : UNCHANGED;
  }
}
