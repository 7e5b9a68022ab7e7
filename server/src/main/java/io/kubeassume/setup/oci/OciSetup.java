package io.kubeassume.setup.oci;

import io.kubeassume.setup.Call;
import io.kubeassume.setup.JsonHttp;
import io.kubeassume.setup.SetupException;
import io.kubeassume.setup.SetupOutput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Runs {@code setup oci} against the identity domain's REST API, requests signed by the OCI SDK's signer. */
public final class OciSetup {
  private final JsonHttp http;
  private final SetupOutput out;
  private final String domain;

  /** {@code http} is null for a dry run; {@code out} may be null when only the read methods are used. */
  public OciSetup(JsonHttp http, SetupOutput out, String domainUrl) {
    this.http = http;
    this.out = out;
    this.domain = domainUrl.endsWith("/") ? domainUrl.substring(0, domainUrl.length() - 1) : domainUrl;
  }

  public void run(OciPlanner.Wanted wanted) throws SetupException {
    JsonObject trust = OciPlanner.trust(wanted);
    Call list = OciPlanner.list(domain, wanted.issuer());
    out.call(list);
    Optional<JsonObject> existing = Optional.empty();
    if (out.dryRun()) {
      out.note("if a trust for this issuer exists, a real run replaces it (PUT) only when a field differs");
    } else {
      existing = find(list, wanted);
    }
    if (existing.isEmpty()) {
      Call create = OciPlanner.create(domain, trust);
      out.call(create);
      if (!out.dryRun()) {
        check(http.send("POST", URI.create(create.target()), trust), "create the identity propagation trust");
      }
    } else if (OciPlanner.diff(existing.get(), trust).isEmpty()) {
      out.note("identity propagation trust " + wanted.name() + " is up to date");
    } else {
      Call put = OciPlanner.replace(domain, existing.get().getString("id"), trust);
      out.call(put);
      check(http.send("PUT", URI.create(put.target()), trust), "update the identity propagation trust");
    }
    out.result("identity propagation trust", wanted.name() + " (issuer " + wanted.issuer() + ", keys from "
        + wanted.jwksUrl() + ")");
    out.block("The workload exchanges its projected token for a UPST:", String.join("\n",
        "curl -s -u \"$OCI_CLIENT_ID:$OCI_CLIENT_SECRET\" " + domain + "/oauth2/v1/token \\",
        "  -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange \\",
        "  -d requested_token_type=urn:oci:token-type:oci-upst \\",
        "  -d subject_token_type=jwt \\",
        "  --data-urlencode subject_token@/var/run/secrets/oci/token \\",
        "  --data-urlencode public_key=\"$(openssl rsa -in session.key -pubout -outform DER | base64 -w0)\""));
  }

  /** The domain's identity propagation trusts whose issuer is exactly {@code issuer}. One GET, changes nothing. */
  public List<JsonObject> readTrusts(String issuer) throws SetupException {
    List<JsonObject> out = new ArrayList<>();
    JsonArray resources = listed(OciPlanner.list(domain, issuer));
    for (int i = 0; i < resources.size(); i++) {
      // The filter is the server's; compare exactly here too (SCIM eq may ignore case).
      if (issuer.equals(resources.getJsonObject(i).getString("issuer"))) {
        out.add(resources.getJsonObject(i));
      }
    }
    return out;
  }

  private JsonArray listed(Call list) throws SetupException {
    JsonHttp.Response r = http.send("GET", URI.create(list.target()), null);
    check(r, "list identity propagation trusts");
    return r.json() == null ? new JsonArray() : r.json().getJsonArray("Resources", new JsonArray());
  }

  private Optional<JsonObject> find(Call list, OciPlanner.Wanted wanted) throws SetupException {
    JsonArray resources = listed(list);
    JsonObject byName = null;
    for (int i = 0; i < resources.size(); i++) {
      JsonObject t = resources.getJsonObject(i);
      if (wanted.issuer().equals(t.getString("issuer")) && wanted.name().equals(t.getString("name"))) {
        return Optional.of(t);
      }
      if (wanted.issuer().equals(t.getString("issuer")) && byName == null) {
        byName = t;
      }
    }
    if (byName != null) {
      throw new SetupException("the domain already has trust " + byName.getString("name") + " for this issuer; "
          + "pass --name " + byName.getString("name") + " to update it");
    }
    return Optional.empty();
  }

  private static void check(JsonHttp.Response r, String what) throws SetupException {
    if (r.ok()) {
      return;
    }
    throw new SetupException(switch (r.status()) {
      case 401 -> "OCI rejected the request signature to " + what + " (" + r.errorMessage() + "); check the key, "
          + "fingerprint and user in ~/.oci/config";
      case 403 -> "OCI denied the request to " + what + ": the caller needs the Identity Domain Administrator "
          + "or Security Administrator role in the domain (" + r.errorMessage() + ")";
      default -> "cannot " + what + ": HTTP " + r.status() + ": " + r.errorMessage();
    });
  }
}
