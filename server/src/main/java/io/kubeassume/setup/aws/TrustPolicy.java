package io.kubeassume.setup.aws;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The role trust policy that lets one Kubernetes service account assume a role through the OIDC provider:
 * {@code sts:AssumeRoleWithWebIdentity}, with {@code sub} and {@code aud} pinned by StringEquals.
 */
public final class TrustPolicy {
  private TrustPolicy() {}

  /** The provider's condition-key prefix: the issuer without scheme and without a trailing slash. */
  public static String providerHost(String issuerUrl) {
    String s = issuerUrl.replaceFirst("^https?://", "");
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  public static String subject(String namespace, String serviceAccount) {
    return "system:serviceaccount:" + namespace + ":" + serviceAccount;
  }

  public static JsonObject document(String providerArn, String issuerUrl, List<String> audiences,
      String namespace, String serviceAccount) {
    String key = providerHost(issuerUrl);
    Object aud = audiences.size() == 1 ? audiences.get(0) : new JsonArray(List.copyOf(audiences));
    JsonObject condition = new JsonObject().put("StringEquals", new JsonObject()
        .put(key + ":sub", subject(namespace, serviceAccount))
        .put(key + ":aud", aud));
    JsonObject statement = new JsonObject()
        .put("Effect", "Allow")
        .put("Principal", new JsonObject().put("Federated", providerArn))
        .put("Action", "sts:AssumeRoleWithWebIdentity")
        .put("Condition", condition);
    return new JsonObject().put("Version", "2012-10-17").put("Statement", new JsonArray().add(statement));
  }
}
