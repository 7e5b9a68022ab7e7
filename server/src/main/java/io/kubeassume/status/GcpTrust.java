package io.kubeassume.status;

import io.kubeassume.gcp.UploadedJwks;
import io.kubeassume.verify.CheckResult;
import io.kubeassume.verify.Cloud;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Pure: the GCP workload identity pool and provider as IAM reported them, judged against the issuer. */
public final class GcpTrust {
  private GcpTrust() {}

  public static List<CheckResult> evaluate(GcpTarget t, Optional<JsonObject> pool, Optional<JsonObject> provider,
      IssuerFacts f) {
    List<CheckResult> out = new ArrayList<>();
    String setup = t.setup(f.issuer());
    String poolFlags = " --location=global --project=" + t.project();
    if (pool.isEmpty()) {
      out.add(CheckResult.fail("gcp.pool", "workload identity pool " + t.pool() + " does not exist in project "
          + t.project(), setup));
      return tag(out);
    }
    if ("DELETED".equals(pool.get().getString("state"))) {
      out.add(CheckResult.fail("gcp.pool", "pool " + t.pool() + " is deleted (purged after 30 days) and refuses "
          + "every token", "gcloud iam workload-identity-pools undelete " + t.pool() + poolFlags));
      return tag(out);
    }
    if (pool.get().getBoolean("disabled", false)) {
      out.add(CheckResult.fail("gcp.pool", "pool " + t.pool() + " is disabled and refuses every token",
          "gcloud iam workload-identity-pools update " + t.pool() + poolFlags + " --no-disabled"));
    } else {
      out.add(CheckResult.pass("gcp.pool", "pool " + t.pool() + " is active"));
    }
    if (provider.isEmpty()) {
      out.add(CheckResult.fail("gcp.provider", "provider " + t.provider() + " does not exist in pool " + t.pool(), setup));
      return tag(out);
    }
    JsonObject p = provider.get();
    if ("DELETED".equals(p.getString("state"))) {
      out.add(CheckResult.fail("gcp.provider", "provider " + t.provider() + " is deleted (purged after 30 days) and "
          + "refuses every token", "gcloud iam workload-identity-pools providers undelete " + t.provider()
          + " --workload-identity-pool=" + t.pool() + poolFlags));
      return tag(out);
    }
    if (p.getBoolean("disabled", false)) {
      out.add(CheckResult.fail("gcp.provider", "provider " + t.provider() + " is disabled and refuses every token",
          setup + " (re-enables it)"));
    } else {
      out.add(CheckResult.pass("gcp.provider", "provider " + t.provider() + " is active"));
    }
    JsonObject oidc = p.getJsonObject("oidc");
    if (oidc == null) {
      out.add(CheckResult.fail("gcp.issuer", "provider " + t.provider() + " is not an OIDC provider",
          "choose another --provider-id, or delete this one and run " + setup));
      return tag(out);
    }
    String issuerUri = oidc.getString("issuerUri");
    if (f.issuer().equals(issuerUri)) {
      out.add(CheckResult.pass("gcp.issuer", "issuerUri is " + issuerUri));
    } else {
      out.add(CheckResult.fail("gcp.issuer", "issuerUri is '" + issuerUri + "' but tokens carry iss '" + f.issuer()
          + "'" + (slashOnly(issuerUri, f.issuer()) ? " (GCP compares them exactly, trailing slash included)" : ""),
          setup + " (sets issuerUri)"));
    }
    out.add(audiences(p, oidc));
    out.add(jwks(t, p, oidc, f, setup));
    return tag(out);
  }

  private static CheckResult audiences(JsonObject p, JsonObject oidc) {
    JsonArray allowed = oidc.getJsonArray("allowedAudiences", new JsonArray());
    if (allowed.isEmpty()) {
      return CheckResult.pass("gcp.audiences", "no allowed audiences set, so tokens must carry the provider's own "
          + "name: //iam.googleapis.com/" + p.getString("name", "projects/NUMBER/locations/global/..."));
    }
    List<String> auds = new ArrayList<>();
    allowed.forEach(a -> auds.add(String.valueOf(a)));
    return CheckResult.pass("gcp.audiences", "allowed audiences: " + String.join(", ", auds));
  }

  /**
   * An uploaded JWKS does not follow key rotations by itself: the classic silent failure after one. Compared key by
   * key (kid and material, as GCP keeps them); kubeassume serve's gcp-wif mirror keeps one in step.
   */
  private static CheckResult jwks(GcpTarget t, JsonObject p, JsonObject oidc, IssuerFacts f, String setup) {
    UploadedJwks.Verdict v = UploadedJwks.judge(oidc.getString("jwksJson"), p.getString("description"), f.publicKeys());
    String upload = "upload the current keys: curl -s " + f.jwksUri() + " > jwks.json && " + setup + " --jwks-file jwks.json";
    String fix = v.managed()
        ? "kubeassume serve --mirror gcp-wif://" + t.providerName() + " keeps it in step: check that mirror on its /readyz "
            + "(mirrors) and in its log; or " + upload
        : upload;
    return switch (v.kind()) {
      case FETCHES, EQUAL -> CheckResult.pass("gcp.jwks", v.message());
      case LEFT_OUT, EXTRA -> CheckResult.warn("gcp.jwks", v.message(), fix);
      case UNKNOWN -> CheckResult.warn("gcp.jwks", v.message(), "fix the verify failures, then run status again");
      case STALE, BROKEN -> CheckResult.fail("gcp.jwks", v.message(), fix);
    };
  }

  static boolean slashOnly(String a, String b) {
    return a != null && b != null && !a.equals(b) && strip(a).equals(strip(b));
  }

  private static String strip(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private static List<CheckResult> tag(List<CheckResult> results) {
    return results.stream().map(r -> r.forCloud(Cloud.GCP)).toList();
  }
}
