package io.kubeassume.server;

import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * fabric8's CRUD dispatcher with two behaviours of a real API server it lacks: a list with
 * {@code limit} answers in pages (items ordered by namespace/name; the pages after the first come
 * from the first page's snapshot, with its resourceVersion, as a {@code continue} token pins it;
 * a token of a list older than the last eight answers 410), and a watch can be told its
 * resourceVersion is gone (the watch opens, then an ERROR event with code 410, as the API server
 * does once a version leaves its window).
 */
public final class PagingDispatcher extends KubernetesMixedDispatcher {
  private final AtomicInteger gone = new AtomicInteger();
  /** The last lists' snapshots by path and resourceVersion, for the pages after their first (the newest eight). */
  private final Map<String, Snapshot> snapshots = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Snapshot> eldest) {
      return size() > 8;
    }
  });

  public PagingDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
    super(responses);
  }

  /** The next {@code count} watch requests end at once with 410 Gone. */
  public void expireNextWatches(int count) {
    gone.set(count);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getPath() == null ? "" : request.getPath();
    Map<String, String> query = query(path);
    if ("GET".equals(request.getMethod()) && "true".equals(query.get("watch")) && gone.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
        @Override
        public void onOpen(WebSocket ws, Response response) {
          ws.send(new JsonObject().put("type", "ERROR").put("object", new JsonObject().put("kind", "Status")
              .put("apiVersion", "v1").put("status", "Failure").put("reason", "Expired").put("code", 410)
              .put("message", "too old resource version")).encode());
          ws.close(1000, "");
        }
      });
    }
    if (!"GET".equals(request.getMethod()) || !query.containsKey("limit") || query.containsKey("watch")) {
      return super.dispatch(request);
    }
    String after = query.containsKey("continue")
        ? new String(Base64.getUrlDecoder().decode(query.get("continue")), StandardCharsets.UTF_8) : null;
    String listPath = path.substring(0, path.indexOf('?'));
    Snapshot snapshot;
    if (after == null) {
      MockResponse whole = super.dispatch(request);
      if (whole.code() != 200) {
        return whole;
      }
      snapshot = Snapshot.of(new JsonObject(whole.getBody().readUtf8()));
      snapshots.put(listPath + " " + snapshot.resourceVersion, snapshot);
    } else {
      // A later page comes from the first page's snapshot, as a real API server's continue token pins its resourceVersion.
      snapshot = snapshots.get(listPath + " " + after.substring(0, after.indexOf(' ')));
      if (snapshot == null) {
        return new MockResponse().setResponseCode(410).setBody(new JsonObject().put("kind", "Status").put("apiVersion", "v1")
            .put("status", "Failure").put("reason", "Expired").put("code", 410)
            .put("message", "the provided continue parameter is too old").encode());
      }
    }
    String lastKey = after == null ? null : after.substring(after.indexOf(' ') + 1);
    int from = lastKey == null ? 0 : snapshot.indexAfter(lastKey);
    int to = Math.min(snapshot.items.size(), from + Integer.parseInt(query.get("limit")));
    JsonObject metadata = new JsonObject().put("resourceVersion", snapshot.resourceVersion);
    if (to < snapshot.items.size()) {
      String token = snapshot.resourceVersion + " " + key(snapshot.items.get(to - 1));
      metadata.put("continue", Base64.getUrlEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
    }
    JsonObject list = snapshot.head.copy().put("metadata", metadata)
        .put("items", new JsonArray(new ArrayList<>(snapshot.items.subList(from, to))));
    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json").setBody(list.encode());
  }

  /** A whole list at one resourceVersion, items in key order. */
  private static final class Snapshot {
    final JsonObject head;
    final String resourceVersion;
    final List<JsonObject> items;

    private Snapshot(JsonObject head, String resourceVersion, List<JsonObject> items) {
      this.head = head;
      this.resourceVersion = resourceVersion;
      this.items = items;
    }

    static Snapshot of(JsonObject list) {
      List<JsonObject> items = new ArrayList<>();
      list.getJsonArray("items", new JsonArray()).forEach(i -> items.add((JsonObject) i));
      items.sort(Comparator.comparing(PagingDispatcher::key));
      JsonObject head = list.copy();
      head.remove("items");
      String rv = list.getJsonObject("metadata", new JsonObject()).getString("resourceVersion", "0");
      return new Snapshot(head, rv, items);
    }

    /** The index of the first item after {@code key}. */
    int indexAfter(String key) {
      int lo = 0;
      int hi = items.size();
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (key(items.get(mid)).compareTo(key) <= 0) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }

  private static String key(JsonObject item) {
    JsonObject m = item.getJsonObject("metadata");
    return m.getString("namespace", "") + "/" + m.getString("name");
  }

  private static Map<String, String> query(String path) {
    Map<String, String> out = new LinkedHashMap<>();
    int q = path.indexOf('?');
    if (q < 0) {
      return out;
    }
    for (String pair : path.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
