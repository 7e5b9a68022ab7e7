package io.kubeassume.server;

import io.kubeassume.config.StoreType;
import io.kubeassume.store.ConfigMapStateView;
import io.vertx.core.json.JsonObject;

/** The "store" entry of /readyz: which store, where, the ConfigMap's last problem and the leader's reported sync status. */
record StoreStatus(StoreType type, String location, ConfigMapStateView configMap) {
  JsonObject toJson() {
    JsonObject json = new JsonObject().put("type", type.flagValue()).put("location", location);
    if (configMap != null) {
      configMap.lastProblem().ifPresent(p -> json.put("lastError",
          new JsonObject().put("message", p.message()).put("at", p.at().toString())));
      // The leader's sync outcome from the ConfigMap's status annotation; Readiness shows it as a follower's source.
      configMap.reportedStatus().ifPresent(r -> json.put("leaderSyncStatus", r.toJson()));
    }
    return json;
  }
}
