package io.kubeassume.fleet.kubernetes;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.SecretList;
import io.fabric8.kubernetes.client.dsl.Watchable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One watch on the Secrets of the watched namespaces for every secret-sourced issuer: a change to a
 * Secret reaches the issuers that read it, with no per-issuer request and no polling. The
 * {@link ListWatch} keeps only each Secret's resourceVersion, never its data, and lists a page at a
 * time: a Secret's items, private ones included, live only as long as the page or event that carries
 * them, and each issuer keeps just the keys parsed from the items it names.
 */
public final class SecretWatch implements AutoCloseable {
  /**
   * Secrets per list request. Fewer than for OIDCIssuers: the watched namespaces may hold Secrets of
   * any size (a Helm release's can be hundreds of KiB, the API server allows 1 MiB), and a page is
   * what a list holds in memory at once (docs/fleet.md, "Sizing").
   */
  static final int LIST_PAGE = 100;

  private final Vertx vertx;
  private final KubernetesClient client;
  private final List<String> namespaces;
  private final Map<String, List<Consumer<Secret>>> subscribers = new ConcurrentHashMap<>();
  private final List<ListWatch<Secret>> watches = new CopyOnWriteArrayList<>();
  private final List<Future<Void>> firstLists = new ArrayList<>();
  private final Promise<Void> listed = Promise.promise();

  /** @param namespaces where to watch; empty: every namespace */
  public SecretWatch(Vertx vertx, KubernetesClient client, List<String> namespaces) {
    this.vertx = vertx;
    this.client = client;
    this.namespaces = List.copyOf(namespaces);
  }

  /** Starts the watches; subscribers hear of every Secret they named as it is listed and as it changes. */
  public void start() {
    ListWatch.Consumer<Secret> consumer = new ListWatch.Consumer<>() {
      @Override
      public Future<Void> changed(List<Secret> secrets) {
        // Parsed here (a worker for a page, the watch's thread for an event), one page at a time.
        secrets.forEach(secret -> deliver(secret.getMetadata().getNamespace(), secret.getMetadata().getName(), secret));
        return Future.succeededFuture();
      }

      @Override
      public void deleted(String namespace, String name) {
        deliver(namespace, name, null);
      }
    };
    String fix = "secret-sourced issuers keep serving what they have; check that the RBAC allows list and watch on Secrets";
    if (namespaces.isEmpty()) {
      watch("Secrets", "/api/v1/secrets", client.secrets().inAnyNamespace(), fix, consumer);
    } else {
      for (String ns : namespaces) {
        watch("Secrets in " + ns, "/api/v1/namespaces/" + ns + "/secrets", client.secrets().inNamespace(ns), fix, consumer);
      }
    }
    Future.join(firstLists).onComplete(x -> listed.complete());
  }

  /**
   * Completes once the first list of every watched namespace was taken, or failed: until then a
   * Secret that was not delivered yet may still be on its way, and asking the API server for it one by
   * one (10,000 requests for a fleet starting at once) would only repeat the list.
   */
  public Future<Void> firstList() {
    return listed.future();
  }

  private void watch(String what, String path, Watchable<Secret> watchable, String fix, ListWatch.Consumer<Secret> consumer) {
    ListWatch<Secret> watch = new ListWatch<>(vertx, client,
        new ListWatch.Kind<>(what, path, SecretList.class, watchable, fix, LIST_PAGE), consumer);
    watches.add(watch);
    firstLists.add(watch.start());
  }

  /** Lists and watches of Secrets that failed since the start. */
  public long failuresTotal() {
    return watches.stream().mapToLong(ListWatch::failuresTotal).sum();
  }

  /** Why the last list or watch of Secrets failed, or null while they work. */
  public String lastError() {
    return watches.stream().map(ListWatch::lastError).filter(Objects::nonNull).findFirst().orElse(null);
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

  private void deliver(String namespace, String name, Secret content) {
    List<Consumer<Secret>> targets = subscribers.get(namespace + "/" + name);
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
    watches.forEach(ListWatch::close);
    watches.clear();
  }
}
