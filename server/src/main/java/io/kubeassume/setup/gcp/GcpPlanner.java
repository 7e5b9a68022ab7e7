package io.kubeassume.setup.gcp;

import io.kubeassume.setup.Call;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Pure logic of {@code setup gcp}: the IAM v1 requests for a workload identity pool and OIDC provider, the diff
 * of an existing provider against the wanted one (as an updateMask), and the principal identifiers.
 */
public final class GcpPlanner {
  private GcpPlanner() {}

  public static String poolName(String project, String pool) {
    return "projects/" + project + "/locations/global/workloadIdentityPools/" + pool;
  }

  public static Call getPool(String iam, String project, String pool) {
    return new Call("GET", iam + "/v1/" + poolName(project, pool), "");
  }

  public static Call createPool(String iam, String project, String pool, String issuer) {
    JsonObject body = new JsonObject().put("displayName", "kubeassume")
        .put("description", "Kubernetes service accounts of " + truncate(issuer, 200));
    return new Call("POST", iam + "/v1/projects/" + project + "/locations/global/workloadIdentityPools"
        + "?workloadIdentityPoolId=" + pool, body.encode());
  }

  public static Call getProvider(String iam, String project, String pool, String provider) {
    return new Call("GET", iam + "/v1/" + poolName(project, pool) + "/providers/" + provider, "");
  }

  public static Call createProvider(String iam, String project, String pool, String provider, JsonObject body) {
    return new Call("POST", iam + "/v1/" + poolName(project, pool) + "/providers?workloadIdentityPoolProviderId="
        + provider, body.encode());
  }

  public static Call patchProvider(String iam, String project, String pool, String provider, List<String> mask,
      JsonObject body) {
    return new Call("PATCH", iam + "/v1/" + poolName(project, pool) + "/providers/" + provider + "?updateMask="
        + String.join(",", mask), body.encode());
  }

  public static JsonObject attributeMapping() {
    return new JsonObject()
        .put("google.subject", "assertion.sub")
        .put("attribute.namespace", "assertion['kubernetes.io']['namespace']")
        .put("attribute.service_account", "assertion['kubernetes.io']['serviceaccount']['name']");
  }

  /** The provider resource as wanted. {@code condition} and {@code jwksJson} may be null. */
  public static JsonObject provider(String issuer, List<String> audiences, String condition, String jwksJson) {
    JsonObject oidc = new JsonObject().put("issuerUri", issuer);
    if (!audiences.isEmpty()) {
      oidc.put("allowedAudiences", new JsonArray(List.copyOf(audiences)));
    }
    if (jwksJson != null) {
      oidc.put("jwksJson", jwksJson);
    }
    JsonObject p = new JsonObject().put("displayName", "kubeassume").put("attributeMapping", attributeMapping());
    if (condition != null) {
      p.put("attributeCondition", condition);
    }
    return p.put("oidc", oidc);
  }

  /** The fields of {@code existing} that differ from {@code wanted}, as an IAM updateMask; empty if none. */
  public static List<String> updateMask(JsonObject existing, JsonObject wanted) {
    List<String> mask = new ArrayList<>();
    if (!Objects.equals(existing.getJsonObject("attributeMapping"), wanted.getJsonObject("attributeMapping"))) {
      mask.add("attributeMapping");
    }
    // Only a given condition is managed: leaving --attribute-condition out never widens an existing one.
    if (wanted.getString("attributeCondition") != null
        && !Objects.equals(existing.getString("attributeCondition"), wanted.getString("attributeCondition"))) {
      mask.add("attributeCondition");
    }
    JsonObject eo = existing.getJsonObject("oidc", new JsonObject());
    JsonObject wo = wanted.getJsonObject("oidc");
    if (!Objects.equals(eo.getString("issuerUri"), wo.getString("issuerUri"))) {
      mask.add("oidc.issuerUri");
    }
    if (!eo.getJsonArray("allowedAudiences", new JsonArray()).equals(wo.getJsonArray("allowedAudiences", new JsonArray()))) {
      mask.add("oidc.allowedAudiences");
    }
    // Only an upload is managed: without --jwks-file an uploaded JWKS stays (an empty value would revert to fetching).
    if (wo.getString("jwksJson") != null && !Objects.equals(eo.getString("jwksJson"), wo.getString("jwksJson"))) {
      mask.add("oidc.jwksJson");
    }
    if (existing.getBoolean("disabled", false)) {
      mask.add("disabled");
    }
    return mask;
  }

  /** The patch body: the wanted provider plus {@code disabled:false} when re-enabling it. */
  public static JsonObject patchBody(JsonObject wanted, List<String> mask) {
    JsonObject body = wanted.copy();
    if (mask.contains("disabled")) {
      body.put("disabled", false);
    }
    return body;
  }

  public static String poolPrincipalBase(String projectNumber, String pool) {
    return "//iam.googleapis.com/projects/" + projectNumber + "/locations/global/workloadIdentityPools/" + pool;
  }

  public static String subjectPrincipal(String projectNumber, String pool, String namespace, String serviceAccount) {
    return "principal:" + poolPrincipalBase(projectNumber, pool) + "/subject/system:serviceaccount:" + namespace + ":"
        + serviceAccount;
  }

  public static String namespacePrincipalSet(String projectNumber, String pool, String namespace) {
    return "principalSet:" + poolPrincipalBase(projectNumber, pool) + "/attribute.namespace/" + namespace;
  }

  /** The audience tokens must carry when the provider lists no allowed audiences. */
  public static String defaultAudience(String projectNumber, String pool, String provider) {
    return poolPrincipalBase(projectNumber, pool) + "/providers/" + provider;
  }

  /** The project number from a resource name IAM returns ({@code projects/NUMBER/...}). */
  public static String projectNumber(String resourceName) {
    String[] parts = resourceName.split("/");
    return parts.length > 1 && parts[0].equals("projects") ? parts[1] : null;
  }

  /** google.subject holds at most 127 bytes. */
  public static boolean subjectTooLong(String namespace, String serviceAccount) {
    return ("system:serviceaccount:" + namespace + ":" + serviceAccount).getBytes(StandardCharsets.UTF_8).length > 127;
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
