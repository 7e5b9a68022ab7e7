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
 * {@code limit} answers in pages (items ordered by namespace/name, a {@code continue} token naming
 * the last key, every page carrying the first page's resourceVersion), and a watch can be told its
 * resourceVersion is gone (the watch opens, then an ERROR event with code 410, as the API server
 * does once a version leaves its window).
 */
public final class PagingDispatcher extends KubernetesMixedDispatcher {
  private final AtomicInteger gone = new AtomicInteger();

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
    String rv = after == null ? null : after.substring(0, after.indexOf(' '));
    String lastKey = after == null ? null : after.substring(after.indexOf(' ') + 1);
    MockResponse whole = super.dispatch(request);
    if (whole.code() != 200) {
      return whole;
    }
    JsonObject list = new JsonObject(whole.getBody().readUtf8());
    List<JsonObject> items = new ArrayList<>();
    list.getJsonArray("items", new JsonArray()).forEach(i -> items.add((JsonObject) i));
    items.sort(Comparator.comparing(PagingDispatcher::key));
    int limit = Integer.parseInt(query.get("limit"));
    List<JsonObject> page = items.stream().filter(i -> lastKey == null || key(i).compareTo(lastKey) > 0).limit(limit).toList();
    JsonObject metadata = list.getJsonObject("metadata", new JsonObject());
    if (rv != null) {
      metadata.put("resourceVersion", rv);
    }
    boolean more = !page.isEmpty() && items.stream().anyMatch(i -> key(i).compareTo(key(page.get(page.size() - 1))) > 0);
    metadata.remove("continue");
    if (more) {
      String token = metadata.getString("resourceVersion") + " " + key(page.get(page.size() - 1));
      metadata.put("continue", Base64.getUrlEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
    }
    list.put("metadata", metadata).put("items", new JsonArray(new ArrayList<>(page)));
    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json").setBody(list.encode());
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
