package io.kubeassume.fleet.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Watchable;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A list, then a watch, of one kind of object in one namespace (or all of them), with a bound on
 * what a list holds at once: the list is read a page at a time ({@link Kind#pageSize}), each page is
 * decoded on a worker thread (never on an event loop) and handed to the {@link Consumer}; the next
 * page is fetched while the consumer takes the current one, and the one after it only once the
 * consumer is done, so at most two pages are held. fabric8's informer decodes a whole list on the
 * event loop its response arrives on and queues a notification per object without waiting for its
 * handlers, so a list of 10,000 objects was alive at once, and held one of the public port's event
 * loops for seconds (docs/performance.md, "Many issuers").
 *
 * <p>The watch is fabric8's: it reconnects from the last resourceVersion it saw. When the API server
 * says that version is gone (410) or fabric8 gives up, the objects are listed again and those no longer
 * listed are reported deleted. Only each object's resourceVersion is kept (to tell a re-list's
 * unchanged objects and its deletions), never its content. Every failure backs off: 1 s, doubling up
 * to {@link #MAX_BACKOFF_MS}, ±10 %, reset once a watch has delivered an event or run for a minute.
 */
public final class ListWatch<T extends HasMetadata> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ListWatch.class);
  static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
  static final long FIRST_BACKOFF_MS = 1_000;
  static final long MAX_BACKOFF_MS = 30_000;
  /** A watch that ran this long proves the API server works again: the backoff starts over. */
  static final long HEALTHY_WATCH_MS = 60_000;

  /**
   * What is listed and watched: a name for logs, the list's API path, its list type, the watch, what
   * to check when it fails, and the objects per list request (a page's bytes and decoded objects are
   * what a list holds at once).
   */
  public record Kind<T extends HasMetadata>(String what, String path, Class<? extends KubernetesResourceList<T>> listType,
      Watchable<T> watchable, String fix, int pageSize) {}

  /** Where the objects go. Calls for one ListWatch never overlap and arrive in the API server's order. */
  public interface Consumer<T> {
    /**
     * Objects added or changed: a page of a list (on a worker thread) or one watch event (on fabric8's
     * watch thread). The next page is asked for when the future completes.
     */
    Future<Void> changed(List<T> objects);

    /** An object deleted: seen by the watch, or missing from a re-list. */
    void deleted(String namespace, String name);

    /** A list was taken whole (its deletions reported), on the context that called {@link #start}. */
    default void listed() {}
  }

  private final Vertx vertx;
  private final KubernetesClient client;
  private final Kind<T> kind;
  private final Consumer<T> consumer;
  /** namespace/name to resourceVersion of every object listed or watched and not deleted. */
  private final Map<String, String> versions = new ConcurrentHashMap<>();
  private final Promise<Void> firstAttempt = Promise.promise();
  private volatile boolean listedOnce;
  private Context context;
  private volatile Watch watch;
  private long watchStartedAt;
  private long retryTimer = -1;
  private int failures;
  private volatile boolean closed;
  private volatile String lastError;
  private volatile long lists;
  private final AtomicLong failuresTotal = new AtomicLong();

  public ListWatch(Vertx vertx, KubernetesClient client, Kind<T> kind, Consumer<T> consumer) {
    this.vertx = vertx;
    this.client = client;
    this.kind = kind;
    this.consumer = consumer;
  }

  /**
   * Starts listing; call on the context that should run the retries. The future tells how the first
   * list went: taken whole, or failed (then it is retried with backoff; {@link #lastError} says why,
   * {@link #listedOnce} turns true once one succeeds).
   */
  public Future<Void> start() {
    context = vertx.getOrCreateContext();
    relist();
    return firstAttempt.future();
  }

  /** True once a list was taken whole. */
  public boolean listedOnce() {
    return listedOnce;
  }

  /** Why the last list or watch failed, or null once a list and its watch succeeded after it. */
  public String lastError() {
    return lastError;
  }

  /** True while a watch is open (after a list, until it ends). */
  boolean watching() {
    return watch != null;
  }

  /** Lists and watches that failed since the start (an expired version is not a failure). */
  public long failuresTotal() {
    return failuresTotal.get();
  }

  /** Lists begun, the first one included. */
  public long lists() {
    return lists;
  }

  private void relist() {
    retryTimer = -1;
    if (closed) {
      return;
    }
    lists++;
    page(null, new HashSet<>(), null, Future.succeededFuture());
  }

  /**
   * Asks for one page while the page before it may still be with the consumer ({@code previous}
   * completes when it is taken), and hands it over once that one is taken. The next page is asked for
   * only then, so at most two pages are held: one being taken, the next one decoded.
   *
   * @param listed keys seen so far by this list
   * @param rv the list's resourceVersion (null before its first page)
   */
  private void page(String continueToken, Set<String> listed, String rv, Future<Void> previous) {
    fetch(continueToken).onComplete(fetched -> previous.onComplete(taken -> {
      // Waits for the page before even when this one failed: the consumer never gets two calls at once.
      if (closed) {
        return;
      }
      if (fetched.failed() || taken.failed()) {
        listFailed(fetched.failed() ? fetched.cause() : taken.cause());
        return;
      }
      KubernetesResourceList<T> page = fetched.result();
      String next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
      String listRv = rv != null ? rv : page.getMetadata() == null ? null : page.getMetadata().getResourceVersion();
      Future<Void> handedOver = context.executeBlocking(() -> handOver(page, listed), false).compose(f -> f);
      if (next != null && !next.isEmpty()) {
        page(next, listed, listRv, handedOver);
      } else {
        handedOver.onComplete(last -> {
          if (closed) {
            return;
          }
          if (last.failed()) {
            listFailed(last.cause());
          } else {
            listedAll(listed, listRv);
          }
        });
      }
    }));
  }

  /** One page, decoded on a worker. */
  private Future<KubernetesResourceList<T>> fetch(String continueToken) {
    HttpClient http = client.getHttpClient();
    HttpRequest request = http.newHttpRequestBuilder().uri(pageUri(continueToken)).header("Accept", "application/json")
        .timeout(requestTimeoutMillis(), TimeUnit.MILLISECONDS).build();
    return Future.fromCompletionStage(http.sendAsync(request, byte[].class), context)
        .compose(response -> context.executeBlocking(() -> decode(response), false));
  }

  private void listFailed(Throwable cause) {
    if (cause instanceof ListException e && e.code == 410) {
      // The snapshot the continue token named is gone (the API server compacted it while the pages were read).
      log.info("the list of {} expired before its last page ({}); listing again from the start", kind.what(), e.getMessage());
      expired();
    } else {
      failed("cannot list " + kind.what() + ": " + message(cause));
    }
  }

  /** The kubeconfig's request timeout (fabric8's default 10 s), or 10 s where it is unset or 0 (none): every request gets one. */
  private long requestTimeoutMillis() {
    Integer configured = client.getConfiguration().getRequestTimeout();
    return configured == null || configured <= 0 ? DEFAULT_REQUEST_TIMEOUT_MS : configured;
  }

  private String pageUri(String continueToken) {
    String master = client.getMasterUrl().toString().replaceAll("/+$", "");
    return master + kind.path() + "?limit=" + kind.pageSize()
        + (continueToken == null ? "" : "&continue=" + URLEncoder.encode(continueToken, StandardCharsets.UTF_8));
  }

  private KubernetesResourceList<T> decode(HttpResponse<byte[]> response) throws ListException {
    KubernetesSerialization json = client.getKubernetesSerialization();
    if (!response.isSuccessful()) {
      throw new ListException(response.code(), "HTTP " + response.code() + statusMessage(json, response.body()));
    }
    return json.unmarshal(new ByteArrayInputStream(response.body()), kind.listType());
  }

  /** On a worker: hands the objects of a page that changed since they were last seen to the consumer. */
  private Future<Void> handOver(KubernetesResourceList<T> page, Set<String> listed) {
    List<T> changed = new ArrayList<>();
    for (T object : page.getItems()) {
      ObjectMeta meta = object.getMetadata();
      String key = key(meta.getNamespace(), meta.getName());
      listed.add(key);
      String version = String.valueOf(meta.getResourceVersion());
      if (!version.equals(versions.put(key, version))) {
        changed.add(object);
      }
    }
    return changed.isEmpty() ? Future.succeededFuture() : consumer.changed(changed);
  }

  private static String statusMessage(KubernetesSerialization json, byte[] body) {
    try {
      Status status = json.unmarshal(new ByteArrayInputStream(body), Status.class);
      return status.getMessage() == null ? "" : ": " + status.getMessage();
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** The list is whole: objects it no longer holds are gone; then watch from its resourceVersion. */
  private void listedAll(Set<String> listed, String rv) {
    for (String key : List.copyOf(versions.keySet())) {
      if (!listed.contains(key) && versions.remove(key) != null) {
        int slash = key.indexOf('/');
        consumer.deleted(slash == 0 ? null : key.substring(0, slash), key.substring(slash + 1));
      }
    }
    listedOnce = true;
    firstAttempt.tryComplete();
    consumer.listed();
    var options = new ListOptionsBuilder().withResourceVersion(rv).withAllowWatchBookmarks(true).build();
    context.executeBlocking(() -> kind.watchable().watch(options, new Events()), false).onComplete(ar -> {
      if (closed) {
        if (ar.succeeded()) {
          ar.result().close();
        }
      } else if (ar.failed()) {
        failed("cannot watch " + kind.what() + ": " + message(ar.cause()));
      } else {
        watch = ar.result();
        watchStartedAt = System.nanoTime();
        lastError = null;
      }
    });
  }

  /** Logs the failure (once while it repeats) and lists again after the backoff. */
  private void failed(String error) {
    if (!error.equals(lastError)) {
      log.warn("{}; retrying with backoff; {}", error, kind.fix());
    } else {
      log.debug("{} (again)", error);
    }
    lastError = error;
    firstAttempt.tryFail(error);
    failuresTotal.incrementAndGet();
    failures++;
    long delay = backoffMillis(failures, ThreadLocalRandom.current().nextDouble());
    retryTimer = vertx.setTimer(delay, t -> relist());
  }

  /**
   * The version a list or watch went on from is gone: list again, after the backoff all the same (a
   * version that expires at once, again and again, must not turn into a list per second).
   */
  private void expired() {
    lastError = null;
    failures++;
    retryTimer = vertx.setTimer(backoffMillis(failures, ThreadLocalRandom.current().nextDouble()), t -> relist());
  }

  /** The wait before retry number {@code failures} (1-based): 1 s doubling to 30 s, ±10 %. */
  static long backoffMillis(int failures, double random) {
    int doublings = Math.min(Math.max(failures - 1, 0), 16);
    long base = Math.min(FIRST_BACKOFF_MS << doublings, MAX_BACKOFF_MS);
    return Math.max(1, Math.round(base * (1 + 0.1 * (2 * random - 1))));
  }

  private static String key(String namespace, String name) {
    return (namespace == null ? "" : namespace) + "/" + name;
  }

  private static String message(Throwable t) {
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }

  /** The watch's events, on fabric8's watch thread (one at a time, in order). */
  private final class Events implements Watcher<T> {
    @Override
    public void eventReceived(Action action, T object) {
      ObjectMeta meta = object.getMetadata();
      String key = key(meta.getNamespace(), meta.getName());
      if (failures != 0) {
        context.runOnContext(v -> failures = 0); // the watch works
      }
      switch (action) {
        case ADDED, MODIFIED -> {
          String version = String.valueOf(meta.getResourceVersion());
          if (!version.equals(versions.put(key, version))) { // a version already listed or seen is no change
            consumer.changed(List.of(object));
          }
        }
        case DELETED -> {
          if (versions.remove(key) != null) {
            consumer.deleted(meta.getNamespace(), meta.getName());
          }
        }
        default -> { } // BOOKMARK and ERROR are fabric8's to handle
      }
    }

    @Override
    public void onClose(WatcherException cause) {
      context.runOnContext(v -> {
        if (closed) {
          return;
        }
        watch = null;
        if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - watchStartedAt) >= HEALTHY_WATCH_MS) {
          failures = 0;
        }
        if (cause.isHttpGone()) {
          // The usual end of a long watch: the version it resumes from left the API server's window.
          log.debug("the watch on {} expired ({}); listing again", kind.what(), cause.getMessage());
          expired();
        } else {
          failed("the watch on " + kind.what() + " ended: " + message(cause));
        }
      });
    }

    @Override
    public void onClose() {
      // closed by close()
    }
  }

  /** A list request the API server refused or that could not be read. */
  static final class ListException extends Exception {
    final int code;

    ListException(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  @Override
  public void close() {
    closed = true;
    if (context != null) {
      context.runOnContext(v -> {
        if (retryTimer != -1) {
          vertx.cancelTimer(retryTimer);
          retryTimer = -1;
        }
      });
    }
    Watch w = watch;
    if (w != null) {
      w.close();
    }
  }
}
