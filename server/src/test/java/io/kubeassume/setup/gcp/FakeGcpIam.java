package io.kubeassume.setup.gcp;

import io.kubeassume.setup.FakeRest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.TreeMap;

/**
 * A local fake of the IAM v1 workloadIdentityPools API for project my-project (number 123456789): GET, create
 * (as long-running operations; the pool's finishes on the first poll), PATCH with updateMask.
 */
public final class FakeGcpIam implements AutoCloseable {
  public static final String NUMBER = "123456789";
  static final String PREFIX = "/v1/projects/my-project/locations/global/workloadIdentityPools";
  public final Map<String, JsonObject> pools = new TreeMap<>();
  public final Map<String, JsonObject> providers = new TreeMap<>();
  public volatile boolean deny;
  private final FakeRest rest;

  public FakeGcpIam() throws IOException {
    rest = new FakeRest(this::handle);
  }

  public URI endpoint() {
    return rest.endpoint();
  }

  public FakeRest rest() {
    return rest;
  }

  private synchronized FakeRest.Reply handle(FakeRest.Request r) {
    if (!"Bearer test-gcp-token".equals(r.authorization())) {
      return error(401, "Request had invalid authentication credentials.");
    }
    if (deny) {
      return error(403, "Permission 'iam.workloadIdentityPools.get' denied on resource (or it may not exist).");
    }
    String path = r.pathAndQuery().replaceFirst("\\?.*", "");
    String query = r.pathAndQuery().contains("?") ? r.pathAndQuery().replaceFirst("^[^?]*\\?", "") : "";
    if (path.contains("/operations/")) {
      return new FakeRest.Reply(200, new JsonObject().put("name", path.substring(4)).put("done", true));
    }
    if (!path.startsWith(PREFIX)) {
      return error(404, "Requested entity was not found.");
    }
    String[] parts = path.substring(PREFIX.length()).split("/");
    // "" | "", POOL | "", POOL, "providers" | "", POOL, "providers", PROV
    if (r.method().equals("POST") && path.equals(PREFIX)) {
      String pool = query.replaceFirst("workloadIdentityPoolId=", "");
      pools.put(pool, r.json().put("name", name(pool)).put("state", "ACTIVE"));
      return new FakeRest.Reply(200, new JsonObject().put("name", name(pool).replace(NUMBER, "my-project")
          + "/operations/create-pool").put("done", false));
    }
    String pool = parts.length > 1 ? parts[1] : "";
    if (parts.length == 2 && r.method().equals("GET")) {
      JsonObject p = pools.get(pool);
      return p == null ? error(404, "Requested entity was not found.") : new FakeRest.Reply(200, p);
    }
    if (parts.length == 3 && r.method().equals("POST") && pools.containsKey(pool)) {
      String prov = query.replaceFirst("workloadIdentityPoolProviderId=", "");
      providers.put(prov, r.json().put("name", name(pool) + "/providers/" + prov).put("state", "ACTIVE")
          .put("disabled", false));
      return new FakeRest.Reply(200, new JsonObject().put("name", "op-provider").put("done", true));
    }
    if (parts.length == 4) {
      JsonObject p = providers.get(parts[3]);
      if (p == null) {
        return error(404, "Requested entity was not found.");
      }
      if (r.method().equals("GET")) {
        return new FakeRest.Reply(200, p);
      }
      if (r.method().equals("PATCH")) {
        JsonObject body = r.json();
        for (String field : query.replaceFirst("updateMask=", "").split(",")) {
          if (field.startsWith("oidc.")) {
            String f = field.substring(5);
            p.getJsonObject("oidc").put(f, body.getJsonObject("oidc").getValue(f));
          } else {
            p.put(field, body.getValue(field));
          }
        }
        return new FakeRest.Reply(200, new JsonObject().put("name", "op-patch").put("done", true));
      }
    }
    return error(400, "unsupported " + r.method() + " " + path);
  }

  static String name(String pool) {
    return "projects/" + NUMBER + "/locations/global/workloadIdentityPools/" + pool;
  }

  private static FakeRest.Reply error(int status, String message) {
    return new FakeRest.Reply(status, new JsonObject().put("error", new JsonObject().put("code", status)
        .put("message", message)));
  }

  @Override
  public void close() {
    rest.close();
  }
}
