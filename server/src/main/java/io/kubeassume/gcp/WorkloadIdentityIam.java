package io.kubeassume.gcp;

import io.kubeassume.setup.JsonHttp;
import io.kubeassume.setup.SetupException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The IAM v1 REST API of workload identity pools and providers, as far as kubeassume uses it: reads, a PATCH
 * with an update mask, the long-running operation a change returns, and testIamPermissions. Over
 * {@link JsonHttp} (the JDK HttpClient) with the caller's authentication ({@link GoogleBearer}). Shared by
 * {@code setup gcp}, {@code status --gcp}, {@code verify --gcp-provider} and the gcp-wif mirror.
 *
 * <p>Reads (GET, and testIamPermissions, a POST that changes nothing) are retried when Google answers 429, 500,
 * 502, 503 or 504 or cannot be reached, up to {@link Retry#attempts()} times with jittered exponential back-off
 * (uniform in [0, min(cap, base x 2^(n-1))]). Changes are never retried here: a PATCH that may have landed is for
 * the caller to re-read and decide again. Status codes are returned, not judged: each caller names its own
 * permission and fix. Blocking.
 */
public final class WorkloadIdentityIam {
  public static final String DEFAULT_ENDPOINT = "https://iam.googleapis.com";

  /** Pauses between attempts and polls; replaceable so tests need not sleep. */
  @FunctionalInterface
  public interface Pause {
    void pause(Duration d) throws InterruptedException;
  }

  /**
   * How reads are retried and operations awaited.
   *
   * @param attempts tries of one read, at least 1
   * @param base the first back-off bound
   * @param cap the largest back-off bound
   * @param poll the pause between two reads of a running operation
   * @param polls how many times an operation is read before giving up
   */
  public record Retry(int attempts, Duration base, Duration cap, Duration poll, int polls) {
    public static final Retry DEFAULT = new Retry(4, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(1), 60);

    public Retry {
      if (attempts < 1 || polls < 1) {
        throw new IllegalArgumentException("attempts and polls must be at least 1");
      }
    }

    /** A back-off bound for the attempt after {@code failures} failures, with full jitter. */
    Duration backoff(int failures) {
      long bound = Math.min(cap.toMillis(), base.toMillis() << Math.min(failures - 1, 20));
      return Duration.ofMillis(bound <= 0 ? 0 : ThreadLocalRandom.current().nextLong(bound + 1));
    }
  }

  /** A long-running operation that finished with an error. */
  public static final class OperationFailed extends Exception {
    private static final long serialVersionUID = 1L;
    private final int code;

    OperationFailed(int code, String message) {
      super(message);
      this.code = code;
    }

    /** The google.rpc.Code, e.g. 10 for ABORTED (a concurrent change). */
    public int code() {
      return code;
    }
  }

  private final JsonHttp http;
  private final String endpoint;
  private final Retry retry;
  private final Pause pause;

  public WorkloadIdentityIam(JsonHttp http, String endpoint) {
    this(http, endpoint, Retry.DEFAULT, d -> Thread.sleep(d.toMillis()));
  }

  public WorkloadIdentityIam(JsonHttp http, String endpoint, Retry retry, Pause pause) {
    this.http = http;
    this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    this.retry = retry;
    this.pause = pause;
  }

  /** The API's base URL, without a trailing slash. */
  public String endpoint() {
    return endpoint;
  }

  /** {@code https://iam.googleapis.com/v1/<name>}. */
  public URI uri(String name) {
    return URI.create(endpoint + "/v1/" + name);
  }

  /** GET a resource (pool, provider, operation) by name; retried as described above. */
  public JsonHttp.Response get(String name) throws SetupException, InterruptedException {
    return read("GET", uri(name), null);
  }

  /** PATCH {@code name?updateMask=...}: one attempt; the answer is an Operation when it succeeds. */
  public JsonHttp.Response patch(String name, List<String> mask, JsonObject body) throws SetupException {
    return http.send("PATCH", URI.create(uri(name) + "?updateMask=" + String.join(",", mask)), body);
  }

  /**
   * Which of {@code wanted} the caller has on {@code resource} (a pool: provider permissions are granted on the
   * pool or above), from {@code POST <resource>:testIamPermissions}.
   *
   * @throws SetupException if Google does not answer 200, naming the status and its message
   */
  public Set<String> permissions(String resource, Collection<String> wanted) throws SetupException, InterruptedException {
    JsonObject body = new JsonObject().put("permissions", new JsonArray(List.copyOf(wanted)));
    JsonHttp.Response r = read("POST", URI.create(uri(resource) + ":testIamPermissions"), body);
    if (!r.ok()) {
      throw new SetupException("testIamPermissions on " + resource + " answered HTTP " + r.status() + ": "
          + r.errorMessage());
    }
    Set<String> granted = new TreeSet<>();
    JsonArray got = r.json() == null ? null : r.json().getJsonArray("permissions");
    if (got != null) {
      got.forEach(p -> granted.add(String.valueOf(p)));
    }
    return granted;
  }

  /**
   * Follows a long-running operation until it is done and returns it. A missing {@code name} on an operation
   * that is not done, or more than {@link Retry#polls()} reads, is an error saying it is safe to repeat.
   *
   * @throws OperationFailed if the operation ended with an error
   * @throws SetupException if reading it fails or it does not finish in time
   */
  public JsonObject await(JsonObject operation, String what) throws SetupException, OperationFailed, InterruptedException {
    JsonObject op = operation;
    for (int i = 0; !op.getBoolean("done", false); i++) {
      if (i >= retry.polls() || op.getString("name") == null) {
        throw new SetupException(what + " did not finish in time (operation " + op.getString("name")
            + "); it is safe to repeat");
      }
      pause.pause(retry.poll());
      JsonHttp.Response r = get(op.getString("name"));
      if (!r.ok() || r.json() == null) {
        throw new SetupException("cannot follow the operation to " + what + ": HTTP " + r.status() + ": "
            + r.errorMessage());
      }
      op = r.json();
    }
    JsonObject error = op.getJsonObject("error");
    if (error != null) {
      throw new OperationFailed(error.getInteger("code", 0), what + " failed: " + error.getString("message", error.encode()));
    }
    return op;
  }

  /** True for answers worth another try: rate limits and Google's transient server errors. */
  public static boolean transientStatus(int status) {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
  }

  /** True if {@code e} came from not reaching the endpoint (connection refused, reset, timed out). */
  public static boolean unreachable(SetupException e) {
    return e.getCause() instanceof IOException;
  }

  private JsonHttp.Response read(String method, URI uri, JsonObject body) throws SetupException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        JsonHttp.Response r = http.send(method, uri, body);
        if (!transientStatus(r.status()) || attempt >= retry.attempts()) {
          return r;
        }
      } catch (SetupException e) {
        if (!unreachable(e) || attempt >= retry.attempts()) {
          throw e;
        }
      }
      pause.pause(retry.backoff(attempt));
    }
  }
}
