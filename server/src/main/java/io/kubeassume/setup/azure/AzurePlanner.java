package io.kubeassume.setup.azure;

import io.kubeassume.setup.Call;
import io.kubeassume.setup.SetupException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * Pure diff of an identity's federated credentials against the one wanted. Azure matches issuer and
 * subject exactly and allows each pair once per identity, at most 20 credentials in all.
 */
public final class AzurePlanner {
  public static final String API_VERSION = "2023-01-31";
  public static final String AUDIENCE = "api://AzureADTokenExchange";
  public static final int MAX_CREDENTIALS = 20;

  private AzurePlanner() {}

  /** ARM path of the identity: /subscriptions/S/resourceGroups/G/providers/Microsoft.ManagedIdentity/userAssignedIdentities/I. */
  public static String identityPath(String subscription, String resourceGroup, String identity) {
    return "/subscriptions/" + subscription + "/resourceGroups/" + resourceGroup
        + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + identity;
  }

  public static Call getIdentity(String armEndpoint, String identityPath) {
    return new Call("GET", armEndpoint + identityPath + "?api-version=" + API_VERSION, "");
  }

  public static Call list(String armEndpoint, String identityPath) {
    return new Call("GET", armEndpoint + identityPath + "/federatedIdentityCredentials?api-version=" + API_VERSION, "");
  }

  public static Call put(String armEndpoint, String identityPath, AzureCredential c) {
    return new Call("PUT", armEndpoint + identityPath + "/federatedIdentityCredentials/" + c.name()
        + "?api-version=" + API_VERSION, body(c).encode());
  }

  public static JsonObject body(AzureCredential c) {
    return new JsonObject().put("properties", new JsonObject()
        .put("issuer", c.issuer()).put("subject", c.subject()).put("audiences", new JsonArray(c.audiences())));
  }

  /** The credential to PUT, or empty if an identical one exists. */
  public static Optional<AzureCredential> plan(String identity, AzureCredential wanted, List<AzureCredential> existing)
      throws SetupException {
    for (AzureCredential c : existing) {
      if (c.issuer().equals(wanted.issuer()) && c.subject().equals(wanted.subject())) {
        if (c.audiences().equals(wanted.audiences())) {
          return Optional.empty();
        }
        // Same pair under another name: update that one, since Azure refuses a second.
        return Optional.of(new AzureCredential(c.name(), wanted.issuer(), wanted.subject(), wanted.audiences()));
      }
    }
    for (AzureCredential c : existing) {
      if (c.name().equals(wanted.name())) {
        throw new SetupException("federated credential " + c.name() + " on identity " + identity + " already trusts "
            + c.subject() + " from " + c.issuer() + "; choose another --credential-name so it is not overwritten");
      }
    }
    if (existing.size() >= MAX_CREDENTIALS) {
      throw new SetupException("identity " + identity + " already has " + existing.size() + " federated credentials, "
          + "Azure's limit is " + MAX_CREDENTIALS + " per identity; delete one (az identity federated-credential "
          + "delete) or use another user-assigned identity");
    }
    return Optional.of(wanted);
  }

  /**
   * A credential name from namespace and service account: 3-120 characters of letters, digits, '-' and '_',
   * starting with a letter or digit.
   */
  public static String defaultName(String namespace, String serviceAccount) {
    String n = ("kubeassume-" + namespace + "-" + serviceAccount).replaceAll("[^A-Za-z0-9_-]", "-");
    return n.length() > 120 ? n.substring(0, 120) : n;
  }
}
