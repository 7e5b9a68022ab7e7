package io.kubeassume.setup.aws;

import io.kubeassume.setup.Call;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Pure diff of what exists in IAM against what the issuer needs. Only missing pieces are added:
 * an existing provider keeps its other audiences and thumbprints, so a second run changes nothing.
 */
public final class AwsPlanner {
  /** IAM holds at most 5 thumbprints per provider. */
  static final int MAX_THUMBPRINTS = 5;

  public static final Call LIST_PROVIDERS = new Call("iam:ListOpenIDConnectProviders", "", "");

  private AwsPlanner() {}

  public static Call getProvider(String arn) {
    return new Call("iam:GetOpenIDConnectProvider", "", new JsonObject().put("OpenIDConnectProviderArn", arn).encode());
  }

  public static Call getRole(String roleName) {
    return new Call("iam:GetRole", "", new JsonObject().put("RoleName", roleName).encode());
  }

  /** The ARN IAM gives the provider of this issuer in an account: the URL without its scheme. */
  public static String providerArn(String partition, String account, String issuerUrl) {
    return "arn:" + partition + ":iam::" + account + ":oidc-provider/" + TrustPolicy.providerHost(issuerUrl);
  }

  /** True if an ARN from ListOpenIDConnectProviders names this issuer's provider. */
  public static boolean namesIssuer(String arn, String issuerUrl) {
    int i = arn.indexOf(":oidc-provider/");
    if (i < 0) {
      return false;
    }
    String url = arn.substring(i + ":oidc-provider/".length());
    url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    return url.equals(TrustPolicy.providerHost(issuerUrl));
  }

  public static List<AwsChange> providerChanges(String issuerUrl, List<String> audiences, List<String> thumbprints,
      Optional<AwsProvider> existing) {
    if (existing.isEmpty()) {
      return List.of(new AwsChange.CreateProvider(issuerUrl, audiences, thumbprints));
    }
    AwsProvider p = existing.get();
    List<AwsChange> changes = new ArrayList<>();
    for (String aud : audiences) {
      if (!p.clientIds().contains(aud)) {
        changes.add(new AwsChange.AddClientId(p.arn(), aud));
      }
    }
    if (!p.thumbprints().containsAll(thumbprints)) {
      changes.add(new AwsChange.UpdateThumbprints(p.arn(), mergeThumbprints(p.thumbprints(), thumbprints)));
    }
    return changes;
  }

  /**
   * The existing thumbprints plus the wanted ones. Past IAM's limit of 5, the oldest existing ones go first:
   * the wanted ones are what the issuer presents now.
   */
  static List<String> mergeThumbprints(List<String> existing, List<String> wanted) {
    Set<String> keep = new LinkedHashSet<>(existing);
    keep.addAll(wanted);
    List<String> merged = new ArrayList<>(keep);
    while (merged.size() > MAX_THUMBPRINTS) {
      String oldest = merged.stream().filter(t -> !wanted.contains(t)).findFirst().orElseThrow();
      merged.remove(oldest);
    }
    return merged;
  }

  /** The role write, if any: create when absent, update when its trust policy differs. */
  public static Optional<AwsChange> roleChange(String roleName, JsonObject wanted, Optional<JsonObject> existingPolicy) {
    if (existingPolicy.isEmpty()) {
      return Optional.of(new AwsChange.CreateRole(roleName, wanted));
    }
    if (existingPolicy.get().equals(wanted)) {
      return Optional.empty();
    }
    return Optional.of(new AwsChange.UpdateRolePolicy(roleName, wanted));
  }
}
