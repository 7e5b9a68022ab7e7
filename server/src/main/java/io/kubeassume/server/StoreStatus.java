package io.kubeassume.server;

import io.kubeassume.config.StoreType;
import io.kubeassume.store.ConfigMapStateStore;
import io.vertx.core.json.JsonObject;

/** The "store" entry of /readyz: which store, where, and the ConfigMap's last problem if any. */
record StoreStatus(StoreType type, String location, ConfigMapStateStore configMap) {
  JsonObject toJson() {
    JsonObject json = new JsonObject().put("type", type.flagValue()).put("location", location);
    if (configMap != null) {
      configMap.lastProblem().ifPresent(p -> json.put("lastError",
          new JsonObject().put("message", p.message()).put("at", p.at().toString())));
    }
    return json;
  }
}
