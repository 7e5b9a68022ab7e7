package io.kubeassume.fleet.kubernetes;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch on the Secrets of the watched namespaces for every secret-sourced issuer: a change to a
 * Secret reaches the issuers that read it, with no per-issuer request and no polling. The informer
 * keeps only each Secret's resourceVersion (fabric8's reduced store), never its data: a Secret's
 * items, private ones included, live only as long as the event that carries them, and each issuer
 * keeps just the items it names.
 */
public final class SecretWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SecretWatch.class);

  private final KubernetesClient client;
  private final List<String> namespaces;
  private final Map<String, List<Consumer<Secret>>> subscribers = new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<Secret>> informers = new ArrayList<>();

  /** @param namespaces where to watch; empty: every namespace */
  public SecretWatch(KubernetesClient client, List<String> namespaces) {
    this.client = client;
    this.namespaces = List.copyOf(namespaces);
  }

  /** Starts the watches; subscribers hear of every Secret they named as it is listed and as it changes. */
  public void start() {
    ResourceEventHandler<Secret> handler = new ResourceEventHandler<>() {
      @Override
      public void onAdd(Secret secret) {
        deliver(secret, secret);
      }

      @Override
      public void onUpdate(Secret before, Secret after) {
        deliver(after, after);
      }

      @Override
      public void onDelete(Secret secret, boolean unknownFinalState) {
        deliver(secret, null);
      }
    };
    if (namespaces.isEmpty()) {
      informers.add(inform(client.secrets().inAnyNamespace().runnableInformer(0), handler));
    } else {
      for (String ns : namespaces) {
        informers.add(inform(client.secrets().inNamespace(ns).runnableInformer(0), handler));
      }
    }
  }

  private SharedIndexInformer<Secret> inform(SharedIndexInformer<Secret> informer, ResourceEventHandler<Secret> handler) {
    informer.itemStore(new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, Secret.class,
        new KubernetesSerialization(), "metadata.resourceVersion"));
    informer.addEventHandler(handler);
    informer.start().whenComplete((v, e) -> {
      if (e != null) {
        log.warn("cannot watch Secrets{}: {}; secret-sourced issuers keep serving what they have",
            namespaces.isEmpty() ? "" : " in " + namespaces, e.getMessage());
      }
    });
    return informer;
  }

  /**
   * Tells {@code onChange} of Secret {@code namespace/name}: its current content now (read once, on
   * the caller's thread: call from a worker), then every change; null when it does not exist.
   */
  public Subscription subscribe(String namespace, String name, Consumer<Secret> onChange) {
    String key = namespace + "/" + name;
    subscribers.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(onChange);
    return new Subscription(key, onChange);
  }

  /** The Secret now, read from the API server (blocking), or null if it does not exist. */
  public Secret get(String namespace, String name) {
    return client.secrets().inNamespace(namespace).withName(name).get();
  }

  private void deliver(Secret secret, Secret content) {
    List<Consumer<Secret>> targets = subscribers.get(secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName());
    if (targets != null) {
      targets.forEach(t -> t.accept(content));
    }
  }

  /** Stops notices to one subscriber. */
  public final class Subscription {
    private final String key;
    private final Consumer<Secret> onChange;

    private Subscription(String key, Consumer<Secret> onChange) {
      this.key = key;
      this.onChange = onChange;
    }

    public void cancel() {
      subscribers.computeIfPresent(key, (k, list) -> {
        list.remove(onChange);
        return list.isEmpty() ? null : list;
      });
    }
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    informers.clear();
  }
}
