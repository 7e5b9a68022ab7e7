package io.kubeassume.gcp;

import io.kubeassume.setup.FakeRest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A local fake of the IAM v1 workload identity pool provider API, as the gcp-wif mirror, {@code status} and
 * {@code verify} use it, over a real socket:
 *
 * <ul>
 *   <li>{@code GET /v1/projects/P/locations/global/workloadIdentityPools/POOL/providers/PROV}: the provider, 404
 *       if there is none, 403 without {@code iam.workloadIdentityPoolProviders.get};
 *   <li>{@code PATCH ...?updateMask=a,b}: applies exactly the masked fields, answers a long-running operation that
 *       is done after {@link #pollsUntilDone} reads of it; the change is applied when it is done (and then recorded
 *       in {@link #writes}); 403 without {@code ...update}; 409 ABORTED while another operation on the provider runs;
 *       400 for an upload GCP would refuse (more than 8 keys, other members, not RSA/EC);
 *   <li>{@code GET /v1/<operation name>}: the operation;
 *   <li>{@code POST /v1/projects/P/locations/global/workloadIdentityPools/POOL:testIamPermissions}: the granted
 *       subset of the permissions asked for;
 * </ul>
 *
 * Requests need {@code Authorization: Bearer} {@link #TOKEN} or a token {@link #accept accepted} (the ones
 * {@link FakeSts} issues). Answers can be scripted
 * per method ({@link #failNext}). Requests are handled one at a time (the state is a critical section); a
 * {@link #beforeHandle} hook runs first, outside it, so a test can hold one request while others proceed.
 */
public final class FakeIam implements AutoCloseable {
  public static final String TOKEN = "test-gcp-token";
  public static final String GET = "iam.workloadIdentityPoolProviders.get";
  public static final String UPDATE = "iam.workloadIdentityPoolProviders.update";

  /** One applied change of a provider's uploaded JWKS. */
  public record Write(String provider, long revision, List<String> kids, long atNanos) {}

  private final FakeRest rest;
  private final Map<String, JsonObject> providers = new HashMap<>();
  private final Map<String, Op> ops = new HashMap<>();
  private final Map<String, Deque<Integer>> scripted = new HashMap<>();
  private final Set<String> issuedTokens = Collections.synchronizedSet(new HashSet<>());
  private final AtomicInteger counter = new AtomicInteger();
  /** Applied JWKS changes in order. */
  public final List<Write> writes = new CopyOnWriteArrayList<>();
  public final Set<String> granted = Collections.synchronizedSet(new TreeSet<>(Set.of(GET, UPDATE)));
  public volatile int pollsUntilDone = 1;
  /** The next operation ends with ABORTED (code 10) and changes nothing. */
  public volatile boolean abortNextOperation;
  public volatile Consumer<FakeRest.Request> beforeHandle = r -> {};

  private static final class Op {
    final String name;
    final String provider;
    final JsonObject change;
    final List<String> mask;
    final boolean aborted;
    int polls;
    JsonObject result;

    Op(String name, String provider, JsonObject change, List<String> mask, boolean aborted) {
      this.name = name;
      this.provider = provider;
      this.change = change;
      this.mask = mask;
      this.aborted = aborted;
    }
  }

  public FakeIam() throws IOException {
    rest = new FakeRest(r -> {
      beforeHandle.accept(r);
      return handle(r);
    });
  }

  public URI endpoint() {
    return rest.endpoint();
  }

  public FakeRest rest() {
    return rest;
  }

  /** An OIDC provider for {@code issuer}, active, without an uploaded JWKS. */
  public synchronized JsonObject addProvider(String name, String issuer) {
    JsonObject p = new JsonObject().put("name", name).put("displayName", "kubeassume").put("state", "ACTIVE")
        .put("disabled", false)
        .put("attributeMapping", new JsonObject().put("google.subject", "assertion.sub"))
        .put("oidc", new JsonObject().put("issuerUri", issuer));
    providers.put(name, p);
    return p.copy();
  }

  /** Replaces a provider's stored state (tests set up odd ones: deleted, AWS, pre-uploaded keys). */
  public synchronized void putProvider(String name, JsonObject provider) {
    providers.put(name, provider.copy().put("name", name));
  }

  public synchronized void removeProvider(String name) {
    providers.remove(name);
  }

  public synchronized JsonObject provider(String name) {
    JsonObject p = providers.get(name);
    return p == null ? null : p.copy();
  }

  /** The uploaded keys of {@code name} as stored, or null. */
  public synchronized List<Map<String, Object>> uploaded(String name) {
    JsonObject p = providers.get(name);
    return p == null || p.getJsonObject("oidc") == null ? null
        : UploadedJwks.parse(p.getJsonObject("oidc").getString("jwksJson"));
  }

  /** Accepts {@code token} as a bearer token from now on. */
  public void accept(String token) {
    issuedTokens.add(token);
  }

  /** Answers the next {@code times} requests with {@code method} (GET, PATCH, POST) with {@code status}. */
  public synchronized void failNext(String method, int status, int times) {
    Deque<Integer> q = scripted.computeIfAbsent(method, m -> new ArrayDeque<>());
    for (int i = 0; i < times; i++) {
      q.add(status);
    }
  }

  /** Requests as "METHOD /path?query", in order. */
  public List<String> lines() {
    return rest.lines();
  }

  public long count(String methodAndPathPrefix) {
    return lines().stream().filter(l -> l.startsWith(methodAndPathPrefix)).count();
  }

  private synchronized FakeRest.Reply handle(FakeRest.Request r) {
    String path = r.pathAndQuery().replaceFirst("\\?.*", "");
    String query = r.pathAndQuery().contains("?") ? r.pathAndQuery().replaceFirst("^[^?]*\\?", "") : "";
    String auth = r.authorization();
    if (auth == null || !(auth.equals("Bearer " + TOKEN) || issuedTokens.contains(auth.replaceFirst("^Bearer ", "")))) {
      return error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
    }
    Deque<Integer> q = scripted.get(r.method());
    if (q != null && !q.isEmpty()) {
      int status = q.poll();
      return error(status, status == 409 ? "ABORTED" : status == 429 ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE",
          status == 429 ? "Quota exceeded (scripted)" : "scripted answer " + status);
    }
    if (!path.startsWith("/v1/")) {
      return error(404, "NOT_FOUND", "Requested entity was not found.");
    }
    String name = path.substring(4);
    if (r.method().equals("POST") && name.endsWith(":testIamPermissions")) {
      return permissions(r);
    }
    if (name.contains("/operations/") && r.method().equals("GET")) {
      Op op = ops.get(name);
      return op == null ? error(404, "NOT_FOUND", "Requested entity was not found.") : new FakeRest.Reply(200, poll(op));
    }
    if (!name.matches("projects/[^/]+/locations/global/workloadIdentityPools/[^/]+/providers/[^/]+")) {
      return error(404, "NOT_FOUND", "Requested entity was not found.");
    }
    if (r.method().equals("GET")) {
      if (!granted.contains(GET)) {
        return denied(GET, name);
      }
      JsonObject p = providers.get(name);
      return p == null ? error(404, "NOT_FOUND", "Requested entity was not found.") : new FakeRest.Reply(200, p.copy());
    }
    if (r.method().equals("PATCH")) {
      return patch(name, query, r.json());
    }
    return error(400, "INVALID_ARGUMENT", "unsupported " + r.method() + " " + path);
  }

  private FakeRest.Reply patch(String name, String query, JsonObject body) {
    if (!granted.contains(UPDATE)) {
      return denied(UPDATE, name);
    }
    JsonObject p = providers.get(name);
    if (p == null) {
      return error(404, "NOT_FOUND", "Requested entity was not found.");
    }
    if (!query.startsWith("updateMask=") || query.length() == "updateMask=".length()) {
      return error(400, "INVALID_ARGUMENT", "updateMask is required");
    }
    List<String> mask = List.of(URLDecoder.decode(query.substring("updateMask=".length()), StandardCharsets.UTF_8)
        .split(","));
    for (String field : mask) {
      if (!Set.of("displayName", "description", "disabled", "attributeMapping", "attributeCondition",
          "oidc.issuerUri", "oidc.allowedAudiences", "oidc.jwksJson").contains(field)) {
        return error(400, "INVALID_ARGUMENT", "field " + field + " cannot be updated");
      }
    }
    if (mask.contains("oidc.jwksJson")) {
      String problem = jwksProblem(body.getJsonObject("oidc", new JsonObject()).getString("jwksJson"));
      if (problem != null) {
        return error(400, "INVALID_ARGUMENT", "Invalid JWKS: " + problem);
      }
    }
    for (Op running : ops.values()) {
      if (running.provider.equals(name) && running.result == null) {
        return error(409, "ABORTED", "The provider is being updated by another operation; try again.");
      }
    }
    String opName = name + "/operations/op-" + counter.incrementAndGet();
    Op op = new Op(opName, name, body.copy(), mask, abortNextOperation);
    abortNextOperation = false;
    ops.put(opName, op);
    return new FakeRest.Reply(200, pollsUntilDone == 0 ? finish(op) : new JsonObject().put("name", opName).put("done", false));
  }

  private JsonObject poll(Op op) {
    if (op.result != null) {
      return op.result;
    }
    op.polls++;
    return op.polls >= pollsUntilDone ? finish(op) : new JsonObject().put("name", op.name).put("done", false);
  }

  private JsonObject finish(Op op) {
    if (op.aborted) {
      op.result = new JsonObject().put("name", op.name).put("done", true)
          .put("error", new JsonObject().put("code", 10).put("message", "ABORTED: concurrent change (scripted)"));
      return op.result;
    }
    JsonObject p = providers.get(op.provider);
    for (String field : op.mask) {
      if (field.startsWith("oidc.")) {
        String f = field.substring(5);
        p.getJsonObject("oidc").put(f, op.change.getJsonObject("oidc").getValue(f));
      } else {
        p.put(field, op.change.getValue(field));
      }
    }
    if (op.mask.contains("oidc.jwksJson")) {
      List<Map<String, Object>> keys = UploadedJwks.parse(p.getJsonObject("oidc").getString("jwksJson"));
      writes.add(new Write(op.provider, ProviderRevision.of(p.getString("description")),
          keys == null ? List.of() : keys.stream().map(k -> String.valueOf(k.get("kid"))).toList(), System.nanoTime()));
    }
    op.result = new JsonObject().put("name", op.name).put("done", true).put("response", p.copy());
    return op.result;
  }

  private FakeRest.Reply permissions(FakeRest.Request r) {
    JsonArray asked = r.json().getJsonArray("permissions", new JsonArray());
    JsonArray held = new JsonArray();
    asked.forEach(p -> {
      if (granted.contains(String.valueOf(p))) {
        held.add(p);
      }
    });
    // Like Google: no "permissions" member at all when none is held.
    return new FakeRest.Reply(200, held.isEmpty() ? new JsonObject() : new JsonObject().put("permissions", held));
  }

  /** What GCP refuses in an upload (it documents the limits; this fake enforces them so a bad upload fails). */
  private static String jwksProblem(String jwksJson) {
    List<Map<String, Object>> keys = UploadedJwks.parse(jwksJson);
    if (keys == null) {
      return "not a JWKS";
    }
    if (keys.size() > UploadedJwks.MAX_KEYS) {
      return keys.size() + " keys, at most " + UploadedJwks.MAX_KEYS;
    }
    for (Map<String, Object> k : keys) {
      List<String> extra = new ArrayList<>(k.keySet());
      extra.removeAll(UploadedJwks.MEMBERS);
      if (!extra.isEmpty()) {
        return "unsupported members " + extra;
      }
      if (!"RSA".equals(k.get("kty")) && !"EC".equals(k.get("kty"))) {
        return "unsupported kty " + k.get("kty");
      }
    }
    return null;
  }

  private static FakeRest.Reply denied(String permission, String name) {
    return error(403, "PERMISSION_DENIED", "Permission '" + permission + "' denied on resource '//iam.googleapis.com/"
        + name + "' (or it may not exist).");
  }

  private static FakeRest.Reply error(int status, String reason, String message) {
    return new FakeRest.Reply(status, new JsonObject().put("error", new JsonObject().put("code", status)
        .put("message", message).put("status", reason)));
  }

  @Override
  public void close() {
    rest.close();
  }
}
