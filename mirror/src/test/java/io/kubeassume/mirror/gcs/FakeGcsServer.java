package io.kubeassume.mirror.gcs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.GZIPInputStream;

/**
 * A small local stand-in for the GCS JSON API, just what google-cloud-storage calls for
 * {@link GcsTarget}: bucket get, object metadata get, media download ({@code alt=media}, optionally
 * of one {@code generation}), multipart upload with {@code ifGenerationMatch} (0 = must not exist;
 * 412 {@code conditionNotMet} otherwise), and delete. Generations grow per write, like GCS's; the
 * check and the write happen under one lock, so conditional uploads are atomic.
 */
public final class FakeGcsServer implements AutoCloseable {
  private static final Pattern OBJECT = Pattern.compile("^/(?:download/)?storage/v1/b/([^/]+)/o/(.+)$");
  private static final Pattern UPLOAD = Pattern.compile("^/upload/storage/v1/b/([^/]+)/o$");
  private static final Pattern BUCKET = Pattern.compile("^/storage/v1/b/([^/]+)$");

  /** One stored generation of an object. */
  record StoredBlob(byte[] body, long generation, String contentType, String cacheControl, Map<String, String> metadata) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Set<String> buckets = ConcurrentHashMap.newKeySet();
  private final Map<String, StoredBlob> objects = new HashMap<>();
  private long nextGeneration = 1_700_000_000_000_000L;
  /** Uploads answered 412, for tests that want to see the store refuse. */
  public final AtomicInteger refusedUploads = new AtomicInteger();

  public FakeGcsServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public void createBucket(String name) {
    buckets.add(name);
  }

  /** The live object, or {@code null}. */
  public synchronized StoredBlob object(String bucket, String name) {
    return objects.get(bucket + "/" + name);
  }

  public synchronized boolean delete(String bucket, String name) {
    return objects.remove(bucket + "/" + name) != null;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      Matcher m;
      if ((m = UPLOAD.matcher(path)).matches() && ex.getRequestMethod().equals("POST")) {
        upload(ex, decode(m.group(1)), query);
      } else if ((m = OBJECT.matcher(path)).matches()) {
        String bucket = decode(m.group(1));
        String name = decode(m.group(2));
        switch (ex.getRequestMethod()) {
          case "GET" -> getObject(ex, bucket, name, query);
          case "DELETE" -> deleteObject(ex, bucket, name);
          default -> error(ex, 405, "methodNotAllowed", ex.getRequestMethod());
        }
      } else if ((m = BUCKET.matcher(path)).matches() && ex.getRequestMethod().equals("GET")) {
        String bucket = decode(m.group(1));
        if (!buckets.contains(bucket)) {
          error(ex, 404, "notFound", "The specified bucket does not exist.");
        } else {
          json(ex, 200, new JsonObject().put("kind", "storage#bucket").put("id", bucket).put("name", bucket));
        }
      } else {
        error(ex, 404, "notFound", "no such API in the fake: " + ex.getRequestMethod() + " " + path);
      }
    } catch (RuntimeException e) {
      error(ex, 500, "backendError", e.toString());
    }
  }

  private void getObject(HttpExchange ex, String bucket, String name, Map<String, String> query) throws IOException {
    if (!buckets.contains(bucket)) {
      error(ex, 404, "notFound", "The specified bucket does not exist.");
      return;
    }
    StoredBlob blob = object(bucket, name);
    String wantedGeneration = query.get("generation");
    // Only the live generation is kept: an older one is as gone as a deleted object.
    if (blob == null || (wantedGeneration != null && Long.parseLong(wantedGeneration) != blob.generation())) {
      error(ex, 404, "notFound", "No such object: " + bucket + "/" + name);
      return;
    }
    if ("media".equals(query.get("alt"))) {
      ex.getResponseHeaders().set("Content-Type", blob.contentType() == null ? "application/octet-stream" : blob.contentType());
      ex.getResponseHeaders().set("x-goog-generation", Long.toString(blob.generation()));
      ex.getResponseHeaders().set("x-goog-hash", "crc32c=" + crc32c(blob.body()) + ",md5=" + md5(blob.body()));
      ex.sendResponseHeaders(200, blob.body().length == 0 ? -1 : blob.body().length);
      ex.getResponseBody().write(blob.body());
      return;
    }
    json(ex, 200, resource(bucket, name, blob));
  }

  private void deleteObject(HttpExchange ex, String bucket, String name) throws IOException {
    if (delete(bucket, name)) {
      ex.sendResponseHeaders(204, -1);
    } else {
      error(ex, 404, "notFound", "No such object: " + bucket + "/" + name);
    }
  }

  private void upload(HttpExchange ex, String bucket, Map<String, String> query) throws IOException {
    if (!"multipart".equals(query.get("uploadType"))) {
      error(ex, 400, "invalid", "the fake supports uploadType=multipart only, got " + query.get("uploadType"));
      return;
    }
    if (!buckets.contains(bucket)) {
      error(ex, 404, "notFound", "The specified bucket does not exist.");
      return;
    }
    byte[] raw = ex.getRequestBody().readAllBytes();
    if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
        raw = in.readAllBytes();
      }
    }
    Multipart parts = Multipart.parse(ex.getRequestHeaders().getFirst("Content-Type"), raw);
    JsonObject meta = new JsonObject(new String(parts.metadata(), StandardCharsets.UTF_8));
    String name = meta.getString("name");
    Map<String, String> metadata = new LinkedHashMap<>();
    JsonObject custom = meta.getJsonObject("metadata");
    if (custom != null) {
      custom.forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
    }
    String contentType = meta.getString("contentType", parts.mediaContentType());
    Long ifGenerationMatch = query.containsKey("ifGenerationMatch") ? Long.valueOf(query.get("ifGenerationMatch")) : null;

    StoredBlob written;
    synchronized (this) {
      StoredBlob current = objects.get(bucket + "/" + name);
      long currentGeneration = current == null ? 0 : current.generation();
      if (ifGenerationMatch != null && ifGenerationMatch != currentGeneration) {
        written = null;
      } else {
        written = new StoredBlob(parts.media(), nextGeneration++, contentType, meta.getString("cacheControl"), metadata);
        objects.put(bucket + "/" + name, written);
      }
    }
    if (written == null) {
      refusedUploads.incrementAndGet();
      error(ex, 412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
      return;
    }
    json(ex, 200, resource(bucket, name, written));
  }

  private static JsonObject resource(String bucket, String name, StoredBlob blob) {
    JsonObject o = new JsonObject()
        .put("kind", "storage#object")
        .put("id", bucket + "/" + name + "/" + blob.generation())
        .put("name", name)
        .put("bucket", bucket)
        .put("generation", Long.toString(blob.generation()))
        .put("metageneration", "1")
        .put("size", Integer.toString(blob.body().length))
        .put("md5Hash", md5(blob.body()))
        .put("crc32c", crc32c(blob.body()))
        .put("storageClass", "STANDARD");
    if (blob.contentType() != null) {
      o.put("contentType", blob.contentType());
    }
    if (blob.cacheControl() != null) {
      o.put("cacheControl", blob.cacheControl());
    }
    if (!blob.metadata().isEmpty()) {
      JsonObject md = new JsonObject();
      blob.metadata().forEach(md::put);
      o.put("metadata", md);
    }
    return o;
  }

  private static void json(HttpExchange ex, int status, JsonObject body) throws IOException {
    byte[] bytes = body.encode().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static void error(HttpExchange ex, int status, String reason, String message) throws IOException {
    JsonObject err = new JsonObject().put("code", status).put("message", message)
        .put("errors", new io.vertx.core.json.JsonArray().add(new JsonObject()
            .put("domain", "global").put("reason", reason).put("message", message)));
    json(ex, status, new JsonObject().put("error", err));
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      q.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
    }
    return q;
  }

  /** Percent-decoding of a path segment or query value; '+' stays '+' (object names may hold one). */
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

  static String crc32c(byte[] b) {
    CRC32C crc = new CRC32C();
    crc.update(b);
    return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  /** A multipart/related upload: the JSON resource, then the media. */
  record Multipart(byte[] metadata, byte[] media, String mediaContentType) {
    static Multipart parse(String contentType, byte[] body) {
      Matcher b = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType == null ? "" : contentType);
      if (!b.find()) {
        throw new IllegalArgumentException("multipart upload without a boundary: " + contentType);
      }
      // ISO-8859-1 maps bytes 1:1 to chars, so the media survives the string handling intact.
      String all = new String(body, StandardCharsets.ISO_8859_1);
      String delimiter = "--" + b.group(1);
      String[] sections = all.split(Pattern.quote(delimiter));
      java.util.List<String[]> parts = new java.util.ArrayList<>();
      for (String section : sections) {
        if (section.isEmpty() || section.startsWith("--")) {
          continue;
        }
        String s = section.startsWith("\r\n") ? section.substring(2) : section;
        int headerEnd = s.indexOf("\r\n\r\n");
        String headers = s.substring(0, headerEnd);
        String content = s.substring(headerEnd + 4);
        if (content.endsWith("\r\n")) {
          content = content.substring(0, content.length() - 2);
        }
        parts.add(new String[] {headers, content});
      }
      if (parts.size() != 2) {
        throw new IllegalArgumentException("expected 2 parts in the multipart upload, got " + parts.size());
      }
      Matcher ct = Pattern.compile("(?im)^content-type:\\s*(.+)$").matcher(parts.get(1)[0]);
      return new Multipart(parts.get(0)[1].getBytes(StandardCharsets.ISO_8859_1),
          parts.get(1)[1].getBytes(StandardCharsets.ISO_8859_1), ct.find() ? ct.group(1).strip() : null);
    }
  }
}
