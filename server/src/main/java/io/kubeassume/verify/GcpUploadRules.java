package io.kubeassume.verify;

import io.kubeassume.gcp.UploadedJwks;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * {@code gcp.uploaded-jwks}: a GCP workload identity pool provider that holds an uploaded JWKS does not fetch the
 * issuer's keys at all, so that copy is what GCP checks tokens against. A copy that is not the served keys is a
 * warning: the issuer itself is fine, but tokens signed with a key the copy lacks are refused by GCP. Pure.
 */
public final class GcpUploadRules {
  static final String NAME = "gcp.uploaded-jwks";

  private GcpUploadRules() {}

  /**
   * @param provider the provider as IAM returned it
   * @param served the served JWKS keys ({@link Evidence#jwksKeys()}), or null if they could not be fetched: then no
   *     check is reported (jwks.fetch says why)
   * @return the check, or null when there is nothing to compare
   */
  public static CheckResult check(String providerName, JsonObject provider, List<Map<String, Object>> served) {
    if (served == null) {
      return null;
    }
    JsonObject oidc = provider.getJsonObject("oidc");
    if (oidc == null) {
      return CheckResult.warn(NAME, providerName + " is not an OIDC provider", "name the OIDC provider of this issuer in "
          + "--gcp-provider").forCloud(Cloud.GCP);
    }
    UploadedJwks.Verdict v = UploadedJwks.judge(oidc.getString("jwksJson"), provider.getString("description"), served);
    String fix = v.managed()
        ? "kubeassume serve --mirror gcp-wif://" + providerName + " keeps it in step: check that mirror on its /readyz "
            + "(mirrors) and in its log; kubeassume status --gcp ... shows the same comparison"
        : "upload the served keys (curl -s JWKS_URI > jwks.json && kubeassume setup gcp ... --jwks-file jwks.json), or "
            + "let kubeassume serve keep them in step: --mirror gcp-wif://" + providerName;
    CheckResult r = switch (v.kind()) {
      case FETCHES, EQUAL -> CheckResult.pass(NAME, v.message());
      case LEFT_OUT, EXTRA, STALE, BROKEN, UNKNOWN -> CheckResult.warn(NAME, v.message(), fix);
    };
    return r.forCloud(Cloud.GCP);
  }

  /** A provider that could not be read: a warning naming why, so the other checks still decide the result. */
  public static CheckResult unreadable(String providerName, String why) {
    return CheckResult.warn(NAME, "cannot read " + providerName + ": " + why, "give the identity in use "
        + "iam.workloadIdentityPoolProviders.get (roles/iam.workloadIdentityPoolViewer), or check --gcp-provider and "
        + "--gcp-iam-endpoint").forCloud(Cloud.GCP);
  }
}
