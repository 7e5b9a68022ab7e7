package io.kubeassume.server;

import io.kubeassume.document.Snapshot;
import io.kubeassume.mirror.TargetStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * /readyz: ready once a first good document set is served. Serving the last good documents while
 * the source is failing is correct, so readiness stays true then; the error is in the detail.
 */
final class Readiness {
  private Readiness() {}

  record Result(boolean ready, JsonObject body) {}

  /**
   * @param store type, location and last error of the state store; its {@code leaderSyncStatus} (the
   *     ConfigMap's status annotation) becomes a follower's {@code source}
   * @param leader the Lease status with the ConfigMap store, else null (no election)
   */
  static Result evaluate(Optional<Snapshot> served, SyncHealth.Report sync, String source, JsonObject store, JsonObject leader) {
    JsonObject body = new JsonObject();
    body.put("ready", served.isPresent());
    JsonObject reported = store == null ? null : (JsonObject) store.remove("leaderSyncStatus");
    // A follower shows the leader's report, unless it synced itself more recently (a leader that just stepped down).
    boolean follower = SourceView.showsLeader(leader != null && !leader.getBoolean("leading", false), sync,
        reported != null, reported == null ? null : instant(reported.getString("since")),
        reported == null ? null : instant(reported.getString("lastSuccessfulSync")));
    String failing = follower
        ? (reported.getBoolean("healthy", false) || reported.getJsonObject("lastError") == null ? null
            : reported.getJsonObject("lastError").getString("message"))
        : sync.failing();
    if (served.isEmpty()) {
      body.put("reason", failing != null
          ? "no valid document set yet: " + failing
          : leaseUnreachable(leader) != null
              ? "no valid document set yet: no replica can lead, " + leaseUnreachable(leader)
              : "no valid document set yet: first key sync pending");
    } else {
      Snapshot s = served.get();
      body.put("issuer", s.issuer().value())
          .put("revision", s.revision())
          .put("keys", s.kids());
    }
    JsonObject sourceStatus;
    if (follower) {
      // Only the leader reads the source: a follower shows the outcome the leader wrote on the ConfigMap.
      sourceStatus = new JsonObject().put("name", source).put("reportedBy", reported.getString("leader"))
          .put("healthy", reported.getBoolean("healthy")).put("since", reported.getString("since"))
          .put("lastSuccessfulSync", reported.getString("lastSuccessfulSync"))
          .put("consecutiveFailures", reported.getLong("consecutiveFailures"));
      if (reported.getJsonObject("lastError") != null) {
        sourceStatus.put("lastError", reported.getJsonObject("lastError"));
      }
    } else {
      sourceStatus = new JsonObject()
          .put("name", source)
          .put("healthy", sync.failing() == null && sync.lastSuccess() != null)
          .put("lastSuccessfulSync", iso(sync.lastSuccess()))
          .put("consecutiveFailures", sync.consecutiveFailures());
      if (sync.lastError() != null) {
        sourceStatus.put("lastError", new JsonObject().put("message", sync.lastError()).put("at", iso(sync.lastErrorAt())));
      }
    }
    body.put("source", sourceStatus).put("store", store);
    if (leader != null) {
      body.put("leader", leader);
    }
    return new Result(served.isPresent(), body);
  }

  /**
   * Adds a {@code mirrors} section (only when mirrors are configured). A failing mirror is shown
   * but does not make the server unready: the documents are still served directly.
   */
  static void addMirrors(JsonObject body, List<TargetStatus> mirrors) {
    if (mirrors.isEmpty()) {
      return;
    }
    JsonArray out = new JsonArray();
    for (TargetStatus m : mirrors) {
      JsonObject j = new JsonObject()
          .put("target", m.target())
          .put("healthy", m.healthy())
          .put("lastResult", m.lastResult())
          .put("lastPublishedRevision", m.lastRevision() < 0 ? null : m.lastRevision())
          .put("lastSuccessfulPublish", iso(m.lastSuccess()))
          .put("consecutiveFailures", m.consecutiveFailures());
      if (!m.leftOut().isEmpty()) {
        // GCP's uploaded JWKS holds 8 keys: the oldest retired ones beyond that are not there.
        j.put("leftOutKids", new JsonArray(m.leftOut()));
      }
      if (m.lastError() != null) {
        j.put("lastError", new JsonObject().put("message", m.lastError()).put("at", iso(m.lastErrorAt())));
      }
      out.add(j);
    }
    body.put("mirrors", out);
  }

  /** Why the Lease cannot be taken (the API server unreachable or refusing), or null. */
  private static String leaseUnreachable(JsonObject leader) {
    if (leader == null || leader.getBoolean("leaseReachable", true) || leader.getJsonObject("lastError") == null) {
      return null;
    }
    return leader.getJsonObject("lastError").getString("message");
  }

  private static Instant instant(String iso) {
    return iso == null ? null : Instant.parse(iso);
  }

  private static String iso(Instant at) {
    return at == null ? null : at.toString();
  }
}
