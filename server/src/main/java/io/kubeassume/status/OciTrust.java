package io.kubeassume.status;

import io.kubeassume.verify.CheckResult;
import io.kubeassume.verify.Cloud;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Pure: an identity domain's identity propagation trusts for the issuer, as the domain reported them. */
public final class OciTrust {
  private OciTrust() {}

  public static List<CheckResult> evaluate(String domainUrl, List<JsonObject> trusts, IssuerFacts f) {
    String setup = "kubeassume setup oci --issuer-url " + f.issuer() + " --domain-url " + domainUrl;
    List<CheckResult> out = new ArrayList<>();
    if (trusts.isEmpty()) {
      out.add(CheckResult.fail("oci.trust", "identity domain " + domainUrl + " has no identity propagation trust for "
          + f.issuer() + ", so every token exchange is refused", setup + " --oauth-client CLIENT_ID"));
      return tag(out);
    }
    for (JsonObject t : trusts) {
      String name = t.getString("name", t.getString("id", "?"));
      if (Boolean.TRUE.equals(t.getBoolean("active"))) {
        out.add(CheckResult.pass("oci.trust", name + " (type " + t.getString("type", "?") + ") is active"));
      } else {
        out.add(CheckResult.fail("oci.trust", name + " is inactive: the domain refuses every token exchange through it",
            "activate it: run " + setup + " --name " + name + " again with the flags it was made with (it sets "
                + "active), or activate it in the identity domain's console"));
      }
      String keys = t.getString("publicKeyEndpoint");
      if (f.jwksUri().equals(keys)) {
        out.add(CheckResult.pass("oci.keys", name + " fetches keys from " + keys));
      } else {
        out.add(CheckResult.warn("oci.keys", name + " fetches keys from " + (keys == null ? "nowhere" : keys)
            + ", the issuer publishes them at " + f.jwksUri(), setup + " --name " + name + " --jwks-url " + f.jwksUri()));
      }
    }
    return tag(out);
  }

  private static List<CheckResult> tag(List<CheckResult> results) {
    return results.stream().map(r -> r.forCloud(Cloud.OCI)).toList();
  }
}
