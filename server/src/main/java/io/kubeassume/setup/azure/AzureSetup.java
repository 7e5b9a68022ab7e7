package io.kubeassume.setup.azure;

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

/**
 * Runs {@code setup azure} through the Azure Resource Manager REST API (Microsoft.ManagedIdentity,
 * api-version 2023-01-31): list the identity's federated credentials, then PUT the one wanted if it differs.
 */
public final class AzureSetup {
  private final JsonHttp http;
  private final SetupOutput out;
  private final String arm;

  /** {@code http} is null for a dry run; {@code out} may be null when only the read methods are used. */
  public AzureSetup(JsonHttp http, SetupOutput out, String armEndpoint) {
    this.http = http;
    this.out = out;
    this.arm = armEndpoint.endsWith("/") ? armEndpoint.substring(0, armEndpoint.length() - 1) : armEndpoint;
  }

  public void run(String subscription, String resourceGroup, String identity, AzureCredential wanted)
      throws SetupException {
    String path = AzurePlanner.identityPath(subscription, resourceGroup, identity);
    Call list = AzurePlanner.list(arm, path);
    out.call(list);
    List<AzureCredential> existing = List.of();
    if (out.dryRun()) {
      out.note("a real run reads the identity's credentials first and skips the PUT if an identical one exists");
    } else {
      existing = list(list, identity);
    }
    Optional<AzureCredential> put = AzurePlanner.plan(identity, wanted, existing);
    if (put.isEmpty()) {
      out.note("federated credential for " + wanted.subject() + " is up to date");
    } else {
      Call call = AzurePlanner.put(arm, path, put.get());
      out.call(call);
      if (!out.dryRun()) {
        JsonHttp.Response r = http.send("PUT", URI.create(call.target()), AzurePlanner.body(put.get()));
        if (!r.ok()) {
          throw new SetupException(describe("PUT federatedIdentityCredentials/" + put.get().name(), identity, r));
        }
      }
    }
    AzureCredential done = put.orElse(wanted);
    out.result("federated credential", (put.isPresent() ? put.get().name() : nameOf(wanted, existing))
        + " on " + path);
    out.block("In the pod (Azure Workload Identity webhook, or set these yourself):", String.join("\n",
        "AZURE_CLIENT_ID=<clientId of identity " + identity + ": az identity show -g " + resourceGroup + " -n "
            + identity + " --query clientId -o tsv>",
        "AZURE_TENANT_ID=<your tenant: az account show --query tenantId -o tsv>",
        "AZURE_FEDERATED_TOKEN_FILE=/var/run/secrets/azure/tokens/azure-identity-token",
        "AZURE_AUTHORITY_HOST=https://login.microsoftonline.com/",
        "# projected token audience: " + String.join(",", done.audiences())));
  }

  private static String nameOf(AzureCredential wanted, List<AzureCredential> existing) {
    return existing.stream().filter(c -> c.issuer().equals(wanted.issuer()) && c.subject().equals(wanted.subject()))
        .map(AzureCredential::name).findFirst().orElse(wanted.name());
  }

  /** The user-assigned identity as ARM reports it, or empty if it does not exist. One GET, changes nothing. */
  public Optional<JsonObject> readIdentity(String subscription, String resourceGroup, String identity)
      throws SetupException {
    Call get = AzurePlanner.getIdentity(arm, AzurePlanner.identityPath(subscription, resourceGroup, identity));
    JsonHttp.Response r = http.send("GET", URI.create(get.target()), null);
    if (r.status() == 404) {
      return Optional.empty();
    }
    if (!r.ok()) {
      throw new SetupException(describe("GET userAssignedIdentities/" + identity, identity, r));
    }
    return Optional.of(r.json() == null ? new JsonObject() : r.json());
  }

  /** Every federated credential on the identity (all pages). GETs only, changes nothing. */
  public List<AzureCredential> readCredentials(String subscription, String resourceGroup, String identity)
      throws SetupException {
    return list(AzurePlanner.list(arm, AzurePlanner.identityPath(subscription, resourceGroup, identity)), identity);
  }

  private List<AzureCredential> list(Call first, String identity) throws SetupException {
    List<AzureCredential> all = new ArrayList<>();
    String next = first.target();
    while (next != null) {
      JsonHttp.Response r = http.send("GET", URI.create(next), null);
      if (!r.ok()) {
        throw new SetupException(describe("GET federatedIdentityCredentials", identity, r));
      }
      JsonArray value = r.json() == null ? new JsonArray() : r.json().getJsonArray("value", new JsonArray());
      for (int i = 0; i < value.size(); i++) {
        JsonObject c = value.getJsonObject(i);
        JsonObject p = c.getJsonObject("properties", new JsonObject());
        List<String> auds = new ArrayList<>();
        p.getJsonArray("audiences", new JsonArray()).forEach(a -> auds.add(String.valueOf(a)));
        all.add(new AzureCredential(c.getString("name"), p.getString("issuer", ""), p.getString("subject", ""), auds));
      }
      next = r.json() == null ? null : r.json().getString("nextLink");
    }
    return all;
  }

  static String describe(String operation, String identity, JsonHttp.Response r) {
    return switch (r.status()) {
      case 401 -> "Azure rejected the credentials for " + operation + " (" + r.errorMessage() + "); run az login "
          + "again or check AZURE_CLIENT_ID/AZURE_TENANT_ID";
      case 403 -> operation.startsWith("GET")
          ? "Azure denied " + operation + " on identity " + identity + ": the caller needs read access to it "
              + "(Microsoft.ManagedIdentity/userAssignedIdentities/read and .../federatedIdentityCredentials/read, "
              + "e.g. role Reader on the identity): " + r.errorMessage()
          : "Azure denied " + operation + " on identity " + identity + ": the caller needs "
          + "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/read and write "
          + "(role Managed Identity Contributor on the identity): " + r.errorMessage();
      case 404 -> "user-assigned identity " + identity + " was not found (" + r.errorMessage() + "); check "
          + "--subscription, --resource-group and --identity";
      case 409 -> "Azure refused " + operation + " because another change to identity " + identity + " is in progress ("
          + r.errorMessage() + "); run again in a moment";
      default -> operation + " failed: HTTP " + r.status() + ": " + r.errorMessage();
    };
  }
}
