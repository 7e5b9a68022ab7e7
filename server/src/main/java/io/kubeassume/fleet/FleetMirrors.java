package io.kubeassume.fleet;

import io.kubeassume.mirror.TargetStatus;
import io.kubeassume.server.MirrorWiring;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The server-wide mirror settings every fleet issuer's {@code spec.mirrors} use ({@code --mirror-endpoint},
 * {@code --mirror-region}, {@code --gcp-iam-endpoint}, {@code --mirror-resync}); gives a pipeline its
 * mirrors. The writer (the process, or the leader) publishes, so a gcp-wif provider has one writer and
 * buckets are not written by every replica for every issuer.
 */
public record FleetMirrors(MeterRegistry registry, URI endpoint, String region, URI gcpIamEndpoint, Duration resync) {
  /** {@code pipeline}, with its mirrors if its spec names any. */
  public IssuerPipeline attach(Vertx vertx, IssuerPipeline pipeline) {
    IssuerSpec spec = pipeline.spec();
    if (spec.mirrors().isEmpty()) {
      return pipeline;
    }
    MirrorWiring wiring = new MirrorWiring(vertx, new MirrorWiring.Settings(spec.mirrors(), spec.issuer(),
        spec.maxAgeSeconds(), endpoint, region, gcpIamEndpoint, resync, spec.id()), registry, pipeline.endpoint().documents(), () -> true);
    return pipeline.withMirrors(new IssuerPipeline.Mirrors() {
      @Override
      public Future<Void> start() {
        return wiring.start();
      }

      @Override
      public Future<Void> stop() {
        return wiring.stop();
      }

      @Override
      public List<TargetStatus> status() {
        return wiring.status();
      }
    }, resync);
  }
}
