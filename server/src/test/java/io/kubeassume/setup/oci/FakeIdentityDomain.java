package io.kubeassume.setup.oci;

import io.kubeassume.setup.FakeRest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * A local fake of an identity domain's /admin/v1/IdentityPropagationTrusts (SCIM): filter by issuer, create,
 * replace. It refuses requests that are not signed with the test key, or whose body hash does not match.
 */
public final class FakeIdentityDomain implements AutoCloseable {
  public static final String KEY_ID = "ocid1.tenancy.oc1..test/ocid1.user.oc1..test/11:22:33";
  public final Map<String, JsonObject> trusts = new TreeMap<>();
  private final FakeRest rest;
  private int ids;

  public FakeIdentityDomain() throws IOException {
    rest = new FakeRest(this::handle);
  }

  public URI endpoint() {
    return rest.endpoint();
  }

  public FakeRest rest() {
    return rest;
  }

  private synchronized FakeRest.Reply handle(FakeRest.Request r) {
    String authz = r.authorization() == null ? "" : r.authorization();
    if (!authz.startsWith("Signature ") || !authz.contains("keyId=\"" + KEY_ID + "\"")) {
      return error(401, "The required information to complete authentication was not provided.");
    }
    if (!r.body().isEmpty() && !sha256(r.body()).equals(r.signedHeaders())) {
      return error(401, "x-content-sha256 does not match the body");
    }
    String path = r.pathAndQuery().replaceFirst("\\?.*", "");
    if (r.method().equals("GET") && path.equals("/admin/v1/IdentityPropagationTrusts")) {
      String filter = URLDecoder.decode(r.pathAndQuery().replaceFirst("^[^?]*\\?filter=", ""), StandardCharsets.UTF_8);
      String issuer = filter.replaceFirst("^issuer eq \"", "").replaceFirst("\"$", "");
      JsonArray found = new JsonArray();
      trusts.values().stream().filter(t -> issuer.equals(t.getString("issuer"))).forEach(found::add);
      return new FakeRest.Reply(200, new JsonObject().put("schemas",
          new JsonArray().add("urn:ietf:params:scim:api:messages:2.0:ListResponse"))
          .put("totalResults", found.size()).put("Resources", found));
    }
    if (r.method().equals("POST") && path.equals("/admin/v1/IdentityPropagationTrusts")) {
      String id = "trust-" + (++ids);
      JsonObject t = r.json().put("id", id);
      trusts.put(id, t);
      return new FakeRest.Reply(201, t);
    }
    if (r.method().equals("PUT") && path.startsWith("/admin/v1/IdentityPropagationTrusts/")) {
      String id = path.substring(path.lastIndexOf('/') + 1);
      if (!trusts.containsKey(id)) {
        return error(404, "not found");
      }
      JsonObject t = r.json().put("id", id);
      trusts.put(id, t);
      return new FakeRest.Reply(200, t);
    }
    return error(400, "unsupported " + r.method() + " " + path);
  }

  private static String sha256(String body) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
          .digest(body.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static FakeRest.Reply error(int status, String detail) {
    return new FakeRest.Reply(status, new JsonObject().put("schemas",
        new JsonArray().add("urn:ietf:params:scim:api:messages:2.0:Error")).put("detail", detail)
        .put("status", String.valueOf(status)));
  }

  @Override
  public void close() {
    rest.close();
  }
}
