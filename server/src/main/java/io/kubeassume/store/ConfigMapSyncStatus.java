package io.kubeassume.store;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * The leader's last key sync outcome, as written to the ConfigMap's {@link #ANNOTATION}, pure.
 * Only the leader reads the API server; this is how every follower (and {@code kubectl get
 * configmap -o yaml}) learns whether those reads work.
 *
 * <p>It changes materially ({@link #sameOutcome}) only when the leader, the health or the error
 * changes, never because time passed: a steady leader therefore never writes it on its own, it
 * rides along with the state writes it does anyway.
 *
 * @param leader identity of the replica that wrote it
 * @param healthy whether its latest sync succeeded
 * @param since when the current {@code healthy} value (and error) began
 * @param lastSuccess the leader's last successful sync when written, or null
 * @param lastError the latest sync error when written (kept after recovery, for history), or null
 * @param lastErrorAt when {@code lastError} happened, or null
 * @param consecutiveFailures failed syncs since the last success, when written
 */
public record ConfigMapSyncStatus(String leader, boolean healthy, Instant since, Instant lastSuccess, String lastError,
    Instant lastErrorAt, long consecutiveFailures) {
  /** The annotation holding this status as JSON. */
  public static final String ANNOTATION = "kubeassume.io/sync-status";

  public ConfigMapSyncStatus {
    Objects.requireNonNull(leader, "leader");
    Objects.requireNonNull(since, "since");
  }

  /** The status after a successful sync at {@code at}, continuing {@code previous} (null: none yet). */
  public static ConfigMapSyncStatus succeeded(String leader, ConfigMapSyncStatus previous, Instant at) {
    boolean continues = previous != null && previous.healthy && previous.leader.equals(leader);
    return new ConfigMapSyncStatus(leader, true, continues ? previous.since : at, at,
        previous == null ? null : previous.lastError, previous == null ? null : previous.lastErrorAt, 0);
  }

  /** The status after a failed sync at {@code at}. */
  public static ConfigMapSyncStatus failed(String leader, ConfigMapSyncStatus previous, String error, Instant at,
      long consecutiveFailures) {
    boolean continues = previous != null && !previous.healthy && previous.leader.equals(leader)
        && error.equals(previous.lastError);
    return new ConfigMapSyncStatus(leader, false, continues ? previous.since : at,
        previous == null ? null : previous.lastSuccess, error, at, consecutiveFailures);
  }

  /** True if {@code other} tells the same story (same leader, health and error); timestamps and counts aside. */
  public boolean sameOutcome(ConfigMapSyncStatus other) {
    return other != null && leader.equals(other.leader) && healthy == other.healthy
        && (healthy || Objects.equals(lastError, other.lastError));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("leader", leader)
        .put("healthy", healthy)
        .put("since", since.toString())
        .put("lastSuccessfulSync", iso(lastSuccess))
        .put("consecutiveFailures", consecutiveFailures);
    if (lastError != null) {
      json.put("lastError", new JsonObject().put("message", lastError).put("at", iso(lastErrorAt)));
    }
    return json;
  }

  public String encode() {
    return toJson().encode();
  }

  /** Reads the annotation; empty if it is missing or not a status this version understands (never fails). */
  public static Optional<ConfigMapSyncStatus> decode(String annotation) {
    if (annotation == null || annotation.isBlank()) {
      return Optional.empty();
    }
    try {
      JsonObject json = new JsonObject(annotation);
      JsonObject error = json.getJsonObject("lastError");
      return Optional.of(new ConfigMapSyncStatus(json.getString("leader"), json.getBoolean("healthy", false),
          instant(json.getString("since")), instant(json.getString("lastSuccessfulSync")),
          error == null ? null : error.getString("message"), error == null ? null : instant(error.getString("at")),
          json.getLong("consecutiveFailures", 0L)));
    } catch (DecodeException | ClassCastException | DateTimeParseException | NullPointerException e) {
      return Optional.empty();
    }
  }

  private static Instant instant(String iso) {
    return iso == null ? null : Instant.parse(iso);
  }

  private static String iso(Instant at) {
    return at == null ? null : at.toString();
  }
}
