package io.kubeassume.status;

import io.kubeassume.setup.azure.AzureCredential;
import io.kubeassume.setup.azure.AzurePlanner;
import io.kubeassume.verify.CheckResult;
import io.kubeassume.verify.Cloud;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Pure: an Azure user-assigned identity and its federated credentials as ARM reported them, judged against the issuer. */
public final class AzureTrust {
  private AzureTrust() {}

  public static List<CheckResult> evaluate(AzureTarget t, Optional<JsonObject> identity, List<AzureCredential> all,
      IssuerFacts f) {
    List<CheckResult> out = new ArrayList<>();
    if (identity.isEmpty()) {
      out.add(CheckResult.fail("azure.identity", "user-assigned identity " + t.identity() + " does not exist in "
          + "resource group " + t.resourceGroup() + " of subscription " + t.subscription(),
          "az identity create -g " + t.resourceGroup() + " -n " + t.identity() + " --subscription " + t.subscription()
              + ", then " + t.setup(f.issuer())));
      return tag(out);
    }
    String clientId = identity.get().getJsonObject("properties", new JsonObject()).getString("clientId");
    out.add(CheckResult.pass("azure.identity", "identity " + t.identity() + " exists"
        + (clientId == null ? "" : " (clientId " + clientId + ", the pod's AZURE_CLIENT_ID)")));
    List<AzureCredential> trusting = all.stream().filter(c -> c.issuer().equals(f.issuer())).toList();
    for (AzureCredential c : trusting) {
      out.add(CheckResult.pass("azure.credential", c.name() + " trusts " + c.subject() + " (audiences "
          + String.join(", ", c.audiences()) + ")"));
    }
    if (trusting.isEmpty()) {
      Optional<AzureCredential> nearMiss = all.stream().filter(c -> GcpTrust.slashOnly(c.issuer(), f.issuer()))
          .findFirst();
      out.add(CheckResult.fail("azure.credential", nearMiss
          .map(c -> "no federated credential has issuer " + f.issuer() + "; " + c.name() + " has '" + c.issuer()
              + "' (Azure compares the issuer exactly, trailing slash included)")
          .orElse("no federated credential on " + t.identity() + " trusts " + f.issuer() + " (" + all.size()
              + " trust other issuers)"), t.setup(f.issuer())));
    }
    int max = AzurePlanner.MAX_CREDENTIALS;
    if (all.size() >= max) {
      out.add(CheckResult.warn("azure.limit", all.size() + " of " + max + " federated credentials: no further service "
          + "account can be added to this identity", "delete unused ones (az identity federated-credential delete "
          + "--identity-name " + t.identity() + " -g " + t.resourceGroup() + " -n NAME), or use another identity"));
    } else {
      out.add(CheckResult.pass("azure.limit", all.size() + " of " + max + " federated credentials in use"));
    }
    return tag(out);
  }

  private static List<CheckResult> tag(List<CheckResult> results) {
    return results.stream().map(r -> r.forCloud(Cloud.AZURE)).toList();
  }
}
