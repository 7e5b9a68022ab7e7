package io.kubeassume.setup.azure;

import io.kubeassume.setup.FakeRest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A local fake of Azure Resource Manager's federatedIdentityCredentials API for one existing identity:
 * GET of the identity, list and PUT (create or replace), 404 for other identities, 403 on demand, the limit of 20.
 */
public final class FakeArm implements AutoCloseable {
  public static final String IDENTITY = "/subscriptions/sub-1/resourceGroups/rg/providers/"
      + "Microsoft.ManagedIdentity/userAssignedIdentities/app-identity";
  public static final String CLIENT_ID = "11111111-0000-0000-0000-000000000000";
  public final Map<String, JsonObject> credentials = new TreeMap<>();
  public final Set<String> deniedMethods = ConcurrentHashMap.newKeySet();
  private final FakeRest rest;

  public FakeArm() throws IOException {
    rest = new FakeRest(this::handle);
  }

  public URI endpoint() {
    return rest.endpoint();
  }

  public FakeRest rest() {
    return rest;
  }

  public void put(String name, String issuer, String subject) {
    credentials.put(name, new JsonObject().put("properties", new JsonObject().put("issuer", issuer)
        .put("subject", subject).put("audiences", new JsonArray(List.of(AzurePlanner.AUDIENCE)))));
  }

  private synchronized FakeRest.Reply handle(FakeRest.Request r) {
    if (!"Bearer test-arm-token".equals(r.authorization())) {
      return error(401, "InvalidAuthenticationToken", "The access token is invalid.");
    }
    if (deniedMethods.contains(r.method())) {
      return error(403, "AuthorizationFailed", "The client does not have authorization to perform action.");
    }
    String path = r.pathAndQuery().replaceFirst("\\?.*", "");
    if (!r.pathAndQuery().endsWith("api-version=" + AzurePlanner.API_VERSION)) {
      return error(400, "MissingApiVersionParameter", "The api-version query parameter is required.");
    }
    if (r.method().equals("GET") && path.equals(IDENTITY)) {
      return new FakeRest.Reply(200, new JsonObject().put("id", IDENTITY).put("name", "app-identity")
          .put("type", "Microsoft.ManagedIdentity/userAssignedIdentities").put("properties", new JsonObject()
              .put("clientId", CLIENT_ID).put("principalId", "22222222-0000-0000-0000-000000000000")
              .put("tenantId", "33333333-0000-0000-0000-000000000000")));
    }
    if (!path.startsWith(IDENTITY + "/federatedIdentityCredentials")) {
      return error(404, "ResourceNotFound", "The Resource was not found.");
    }
    String rest = path.substring((IDENTITY + "/federatedIdentityCredentials").length());
    if (r.method().equals("GET") && rest.isEmpty()) {
      JsonArray value = new JsonArray();
      credentials.forEach((name, c) -> value.add(resource(name, c)));
      return new FakeRest.Reply(200, new JsonObject().put("value", value));
    }
    if (r.method().equals("PUT") && rest.startsWith("/")) {
      String name = rest.substring(1);
      if (!credentials.containsKey(name) && credentials.size() >= 20) {
        return error(400, "BadRequest", "Too many Federated Identity Credentials are written to Managed Identity");
      }
      JsonObject body = r.json();
      credentials.put(name, body);
      return new FakeRest.Reply(200, resource(name, body));
    }
    return error(405, "MethodNotAllowed", r.method() + " " + path);
  }

  private static JsonObject resource(String name, JsonObject c) {
    return new JsonObject().put("id", IDENTITY + "/federatedIdentityCredentials/" + name).put("name", name)
        .put("type", "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials")
        .put("properties", c.getJsonObject("properties"));
  }

  private static FakeRest.Reply error(int status, String code, String message) {
    return new FakeRest.Reply(status, new JsonObject().put("error",
        new JsonObject().put("code", code).put("message", message)));
  }

  @Override
  public void close() {
    rest.close();
  }
}
