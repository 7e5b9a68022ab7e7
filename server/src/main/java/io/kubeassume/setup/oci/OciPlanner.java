package io.kubeassume.setup.oci;

import io.kubeassume.setup.Call;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Pure logic of {@code setup oci}: the identity domain's IdentityPropagationTrust (SCIM, /admin/v1) that lets
 * the issuer's JWTs be exchanged for a UPST, and the diff of an existing trust against it.
 */
public final class OciPlanner {
  public static final String SCHEMA = "urn:ietf:params:scim:schemas:oracle:idcs:IdentityPropagationTrust";
  static final List<String> MANAGED = List.of("name", "type", "issuer", "publicKeyEndpoint", "active",
      "subjectClaimName", "subjectMappingAttribute", "subjectType", "clientClaimName", "clientClaimValues",
      "oauthClients", "allowImpersonation", "impersonationServiceUsers");

  private OciPlanner() {}

  /** What {@code setup oci} was asked for. audiences, oauthClients may be empty; serviceUser and subject may be null. */
  public record Wanted(String name, String issuer, String jwksUrl, List<String> audiences, List<String> oauthClients,
      String serviceUser, String subject) {}

  public static Call list(String domain, String issuer) {
    return new Call("GET", domain + "/admin/v1/IdentityPropagationTrusts?filter="
        + URLEncoder.encode("issuer eq \"" + issuer + "\"", StandardCharsets.UTF_8).replace("+", "%20"), "");
  }

  public static Call create(String domain, JsonObject trust) {
    return new Call("POST", domain + "/admin/v1/IdentityPropagationTrusts", trust.encode());
  }

  public static Call replace(String domain, String id, JsonObject trust) {
    return new Call("PUT", domain + "/admin/v1/IdentityPropagationTrusts/" + id, trust.encode());
  }

  public static JsonObject trust(Wanted w) {
    JsonObject t = new JsonObject()
        .put("schemas", new JsonArray().add(SCHEMA))
        .put("name", w.name())
        .put("type", "JWT")
        .put("issuer", w.issuer())
        .put("publicKeyEndpoint", w.jwksUrl())
        // Inactive is OCI's default and silently refuses every exchange.
        .put("active", true)
        .put("subjectClaimName", "sub")
        .put("subjectMappingAttribute", "userName")
        .put("subjectType", "User");
    if (!w.audiences().isEmpty()) {
      t.put("clientClaimName", "aud").put("clientClaimValues", new JsonArray(List.copyOf(w.audiences())));
    }
    if (!w.oauthClients().isEmpty()) {
      t.put("oauthClients", new JsonArray(List.copyOf(w.oauthClients())));
    }
    if (w.serviceUser() != null && w.subject() != null) {
      t.put("allowImpersonation", true).put("impersonationServiceUsers", new JsonArray().add(new JsonObject()
          .put("value", w.serviceUser()).put("rule", "sub eq " + w.subject())));
    }
    return t;
  }

  /** The trust to replace, or empty if an existing one already has every managed field as wanted. */
  public static Optional<JsonObject> diff(JsonObject existing, JsonObject wanted) {
    for (String field : MANAGED) {
      if (!Objects.equals(normalize(existing.getValue(field)), normalize(wanted.getValue(field)))) {
        return Optional.of(wanted);
      }
    }
    return Optional.empty();
  }

  /** SCIM answers add $ref and display to complex values; compare only what is sent. */
  private static Object normalize(Object v) {
    if (v instanceof JsonArray a) {
      JsonArray out = new JsonArray();
      for (Object o : a) {
        if (o instanceof JsonObject j) {
          out.add(new JsonObject().put("value", j.getValue("value")).put("rule", j.getValue("rule")));
        } else {
          out.add(o);
        }
      }
      return out;
    }
    return v;
  }
}
