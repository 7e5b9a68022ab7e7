package io.kubeassume.mirror.oci;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small local stand-in for the OCI Object Storage REST API, just what {@link OciTarget} calls:
 * {@code GET}, {@code PUT} and {@code DELETE /n/{namespace}/b/{bucket}/o/{object}}. Every write
 * gets a fresh ETag; {@code if-match} and {@code if-none-match: *} are checked and applied under one
 * lock (412 {@code IfMatchFailed} / {@code IfNoneMatchFailed}). Requests without a signature
 * ({@code Authorization: Signature ... keyId=...}) get 401; the signature itself is not verified.
 */
public final class FakeOciObjectStorage implements AutoCloseable {
  private static final Pattern OBJECT = Pattern.compile("^/n/([^/]+)/b/([^/]+)/o/(.+)$");
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

  /** One stored object. */
  record StoredObj(byte[] body, String etag, String contentType, String cacheControl, Map<String, String> meta) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Set<String> buckets = ConcurrentHashMap.newKeySet();
  private final Map<String, StoredObj> objects = new HashMap<>();
  /** Requests refused for lack of a signature. */
  public final AtomicInteger unsigned = new AtomicInteger();
  /** Conditional PUTs answered 412. */
  public final AtomicInteger refusedPuts = new AtomicInteger();
  /** keyId values of signed requests seen. */
  public final List<String> keyIds = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

  public FakeOciObjectStorage() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public void createBucket(String namespace, String bucket) {
    buckets.add(namespace + "/" + bucket);
  }

  public synchronized StoredObj object(String namespace, String bucket, String name) {
    return objects.get(namespace + "/" + bucket + "/" + name);
  }

  public synchronized boolean delete(String namespace, String bucket, String name) {
    return objects.remove(namespace + "/" + bucket + "/" + name) != null;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      Matcher keyId = Pattern.compile("keyId=\"([^\"]+)\"").matcher(auth == null ? "" : auth);
      if (auth == null || !auth.startsWith("Signature ") || !keyId.find()) {
        unsigned.incrementAndGet();
        error(ex, 401, "NotAuthenticated", "The required information to complete authentication was not provided.");
        return;
      }
      keyIds.add(keyId.group(1));
      Matcher m = OBJECT.matcher(ex.getRequestURI().getRawPath());
      if (!m.matches()) {
        error(ex, 404, "NotAuthorizedOrNotFound", "no such API in the fake: " + ex.getRequestURI());
        return;
      }
      String ns = decode(m.group(1));
      String bucket = decode(m.group(2));
      String name = decode(m.group(3));
      if (!buckets.contains(ns + "/" + bucket)) {
        error(ex, 404, "BucketNotFound", "Either the bucket named '" + bucket + "' does not exist in the namespace '" + ns
            + "' or you are not authorized to access it");
        return;
      }
      switch (ex.getRequestMethod()) {
        case "GET" -> get(ex, ns, bucket, name);
        case "PUT" -> put(ex, ns, bucket, name);
        case "DELETE" -> {
          if (delete(ns, bucket, name)) {
            ex.sendResponseHeaders(204, -1);
          } else {
            error(ex, 404, "ObjectNotFound", "The object '" + name + "' was not found in the bucket '" + bucket + "'");
          }
        }
        default -> error(ex, 405, "MethodNotAllowed", ex.getRequestMethod());
      }
    } catch (RuntimeException e) {
      error(ex, 500, "InternalServerError", e.toString());
    }
  }

  private void get(HttpExchange ex, String ns, String bucket, String name) throws IOException {
    StoredObj o = object(ns, bucket, name);
    if (o == null) {
      error(ex, 404, "ObjectNotFound", "The object '" + name + "' was not found in the bucket '" + bucket + "'");
      return;
    }
    var h = ex.getResponseHeaders();
    h.set("ETag", o.etag());
    h.set("Content-Type", o.contentType() == null ? "application/octet-stream" : o.contentType());
    if (o.cacheControl() != null) {
      h.set("Cache-Control", o.cacheControl());
    }
    h.set("Content-MD5", md5(o.body()));
    h.set("Last-Modified", HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
    h.set("opc-request-id", UUID.randomUUID().toString());
    o.meta().forEach((k, v) -> h.set("opc-meta-" + k, v));
    ex.sendResponseHeaders(200, o.body().length == 0 ? -1 : o.body().length);
    ex.getResponseBody().write(o.body());
  }

  private void put(HttpExchange ex, String ns, String bucket, String name) throws IOException {
    byte[] body = ex.getRequestBody().readAllBytes();
    var rh = ex.getRequestHeaders();
    Map<String, String> meta = new LinkedHashMap<>();
    rh.forEach((k, v) -> {
      if (k.toLowerCase(Locale.ROOT).startsWith("opc-meta-")) {
        meta.put(k.substring("opc-meta-".length()).toLowerCase(Locale.ROOT), v.get(0));
      }
    });
    String ifMatch = rh.getFirst("if-match");
    String ifNoneMatch = rh.getFirst("if-none-match");
    String key = ns + "/" + bucket + "/" + name;
    String refusal = null;
    StoredObj written = null;
    synchronized (this) {
      StoredObj current = objects.get(key);
      if (ifMatch != null && (current == null || !current.etag().equals(ifMatch))) {
        refusal = "IfMatchFailed";
      } else if ("*".equals(ifNoneMatch) && current != null) {
        refusal = "IfNoneMatchFailed";
      } else {
        written = new StoredObj(body, UUID.randomUUID().toString(), rh.getFirst("Content-Type"), rh.getFirst("Cache-Control"), meta);
        objects.put(key, written);
      }
    }
    if (refusal != null) {
      refusedPuts.incrementAndGet();
      error(ex, 412, refusal, "The If-Match or If-None-Match precondition failed for object '" + name + "'");
      return;
    }
    ex.getResponseHeaders().set("ETag", written.etag());
    ex.getResponseHeaders().set("opc-content-md5", md5(body));
    ex.getResponseHeaders().set("Last-Modified", HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
    ex.getResponseHeaders().set("opc-request-id", UUID.randomUUID().toString());
    ex.sendResponseHeaders(200, -1);
  }

  private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
    byte[] bytes = new JsonObject().put("code", code).put("message", message).encode().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.getResponseHeaders().set("opc-request-id", UUID.randomUUID().toString());
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  static String decode(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  static String md5(byte[] b) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(b));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
