package io.kubeassume.server;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import io.kubeassume.logging.ExpectedFailures;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lease lock as fabric8's LeaderElector uses it, watched: a failed Lease call (the API server
 * unreachable or answering an error; a 409 conflict is another replica winning, not a failure) is
 * logged once per distinct error with its cause, its recovery once, and the last one is kept for
 * /readyz. fabric8 itself would log a stack trace for every attempt, every retry period.
 */
final class ObservedLeaseLock implements Lock {
  private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

  private final Lock lease;
  private final String lockName;
  private final Clock clock;
  private volatile String failing;
  private volatile String lastError;
  private volatile Instant lastErrorAt;

  /** @param lockName namespace/name of the Lease, for the log */
  ObservedLeaseLock(Lock lease, String lockName, Clock clock) {
    this.lease = lease;
    this.lockName = lockName;
    this.clock = clock;
  }

  @Override
  public LeaderElectionRecord get(KubernetesClient client) {
    try {
      LeaderElectionRecord record = lease.get(client);
      succeeded();
      return record;
    } catch (RuntimeException e) {
      throw failed("read", e);
    }
  }

  @Override
  public void create(KubernetesClient client, LeaderElectionRecord record) {
    try {
      lease.create(client, record);
      succeeded();
    } catch (RuntimeException e) {
      throw failed("create", e);
    }
  }

  @Override
  public void update(KubernetesClient client, LeaderElectionRecord record) {
    try {
      lease.update(client, record);
      succeeded();
    } catch (RuntimeException e) {
      throw failed("update", e);
    }
  }

  @Override
  public String identity() {
    return lease.identity();
  }

  @Override
  public String describe() {
    return lease.describe();
  }

  /** The current failure, null while the Lease calls succeed. */
  String failing() {
    return failing;
  }

  /** {"message", "at"} of the last failed Lease call, or null if none failed. */
  JsonObject lastError() {
    String message = lastError;
    return message == null ? null : new JsonObject().put("message", message).put("at", lastErrorAt.toString());
  }

  private void succeeded() {
    if (failing != null) {
      failing = null;
      log.info("{} reaches the lease {} again", identity(), lockName);
    }
  }

  private RuntimeException failed(String verb, RuntimeException e) {
    if (e instanceof KubernetesClientException k && k.getCode() == 409) {
      return e; // another replica updated the Lease first: fabric8 reads it again, nothing is wrong
    }
    String error = "cannot " + verb + " the lease " + lockName + ": " + ExpectedFailures.summary(e);
    lastError = error;
    lastErrorAt = clock.instant();
    if (!error.equals(failing)) {
      failing = error;
      log.warn("{} {}; retrying", identity(), error);
    }
    return e;
  }
}
