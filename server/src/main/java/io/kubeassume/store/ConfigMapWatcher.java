package io.kubeassume.store;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kubeassume.logging.ExpectedFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every replica's view of the ConfigMap: a fabric8 informer (one list, then a watch that fabric8
 * re-establishes) on that one object, feeding {@link ConfigMapStateView#observe}. A change is
 * served as soon as its watch event arrives.
 */
public final class ConfigMapWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigMapWatcher.class);

  private final ConfigMapStateView store;
  private SharedIndexInformer<ConfigMap> informer;
  /** The watch failure last logged, so a failure that repeats on every retry is logged once; null once events flow. */
  private volatile String loggedFailure;

  public ConfigMapWatcher(ConfigMapStateView store) {
    this.store = store;
  }

  /** Starts watching without waiting for the first list: an unreachable API server must not stop start-up. */
  public void start() {
    informer = store.resource().runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(ConfigMap cm) {
        flowing();
        store.observe(cm);
      }

      @Override
      public void onUpdate(ConfigMap before, ConfigMap after) {
        flowing();
        store.observe(after);
      }

      @Override
      public void onDelete(ConfigMap cm, boolean finalStateUnknown) {
        log.warn("{} was deleted; serving the last good documents until the leader re-creates it", store.describe());
        store.observeDeleted();
      }
    });
    // Keep retrying the list/watch (RBAC being fixed, an API server coming back) instead of giving up.
    informer.exceptionHandler((started, t) -> {
      String failure = ExpectedFailures.summary(t);
      if (!failure.equals(loggedFailure)) {
        loggedFailure = failure;
        log.warn("watching {} failed, retrying: {}", store.describe(), failure);
      }
      return true;
    });
    informer.start();
  }

  private void flowing() {
    if (loggedFailure != null) {
      loggedFailure = null;
      log.info("watching {} again", store.describe());
    }
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.stop();
    }
  }
}
