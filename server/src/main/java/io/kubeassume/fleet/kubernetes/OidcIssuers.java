package io.kubeassume.fleet.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The OIDCIssuer custom resource (group kubeassume.io, v1alpha1; deploy/crds/oidcissuers.kubeassume.io.yaml). */
public final class OidcIssuers {
  public static final String GROUP = "kubeassume.io";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "OIDCIssuer";
  public static final String PLURAL = "oidcissuers";
  public static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
      .withGroup(GROUP).withVersion(VERSION).withKind(KIND).withPlural(PLURAL).withNamespaced(true).build();

  private OidcIssuers() {}

  /**
   * What kubeassume reads of one object; the rest is dropped with the event that carried it.
   *
   * @param state the merge state the leader wrote into {@code status.state}, or null
   * @param conditions {@code status.conditions} as the API server holds them
   */
  public record Observed(String namespace, String name, String resourceVersion, long generation, Instant created,
      Map<?, ?> spec, String state, List<?> conditions, String lastSyncTime) {
    public String id() {
      return namespace + "/" + name;
    }
  }

  public static Observed observe(GenericKubernetesResource r) {
    Map<String, Object> extra = r.getAdditionalProperties();
    Map<?, ?> spec = extra.get("spec") instanceof Map<?, ?> m ? m : Map.of();
    Map<?, ?> status = extra.get("status") instanceof Map<?, ?> m ? m : Map.of();
    String created = r.getMetadata().getCreationTimestamp();
    Long generation = r.getMetadata().getGeneration();
    return new Observed(r.getMetadata().getNamespace(), r.getMetadata().getName(), r.getMetadata().getResourceVersion(),
        generation == null ? 0 : generation, created == null ? Instant.EPOCH : Instant.parse(created), spec,
        status.get("state") instanceof String s ? s : null,
        status.get("conditions") instanceof List<?> l ? l : List.of(),
        status.get("lastSyncTime") instanceof String t ? t : null);
  }
}
