package io.kubeassume.fleet;

import io.kubeassume.server.SyncHealth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * /readyz of a fleet: ready once the declarations were read (a file loaded, or the first list of
 * OIDCIssuer objects), whatever single issuers are doing: one broken issuer must not take every other
 * issuer's replica out of its Service. The body counts issuers by state and names the first issuers
 * that are not ready, with why.
 */
public final class FleetReadiness {
  /** Issuers listed by name in the body; the counts cover the rest. */
  static final int LISTED = 50;

  private FleetReadiness() {}

  /** @param loaded whether the declarations were read at least once */
  public static JsonObject evaluate(boolean loaded, List<IssuerPipeline> served, Map<String, Fleet.Problem> problems) {
    int ready = 0;
    JsonArray notReady = new JsonArray();
    for (IssuerPipeline p : served) {
      if (p.served() != null) {
        ready++;
      } else if (notReady.size() < LISTED) {
        SyncHealth.Report h = p.stats().health().report();
        notReady.add(new JsonObject().put("issuer", p.id()).put("state", "not_ready")
            .put("reason", h.failing() != null ? "NoValidKeys" : "Pending")
            .put("message", h.failing() != null ? h.failing() : "the first key sync is pending"));
      }
    }
    JsonObject counts = new JsonObject().put("total", served.size() + problems.size()).put("ready", ready)
        .put("not_ready", served.size() - ready).put("conflict", 0).put("refused", 0).put("invalid", 0);
    for (Map.Entry<String, Fleet.Problem> e : problems.entrySet()) {
      counts.put(e.getValue().state(), counts.getInteger(e.getValue().state()) + 1);
      if (notReady.size() < LISTED) {
        notReady.add(new JsonObject().put("issuer", e.getKey()).put("state", e.getValue().state())
            .put("reason", e.getValue().reason()).put("message", e.getValue().message()));
      }
    }
    JsonObject body = new JsonObject().put("ready", loaded).put("issuers", counts);
    if (!loaded) {
      body.put("reason", "the issuers have not been read yet");
    }
    if (!notReady.isEmpty()) {
      body.put("notReady", notReady);
    }
    return body;
  }
}
