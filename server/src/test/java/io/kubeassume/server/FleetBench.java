package io.kubeassume.server;

import com.nimbusds.jose.jwk.RSAKey;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.kubeassume.fleet.kubernetes.OidcIssuers;
import io.kubeassume.keys.KeyIds;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The many-issuers measurement behind docs/performance.md ("Many issuers"), run by {@code bench/fleet.sh}:
 * fabric8's mock API server in CRUD mode (in this JVM) with the OIDCIssuer CRD, N Secrets and N
 * OIDCIssuer objects, and kubeassume replicas as separate processes ({@code serve --issuers kubernetes}
 * from the packaged jar). Measures, in this order: the first sync of every issuer, heap after a full
 * GC and resident memory of each replica, the API requests at steady state, Secret change → every
 * replica serving the new key, a follower's cold start; then (with {@code --serve-cpus}) restarts a
 * follower on CPUs of its own for wrk, writes every served document under {@code WORK/www} for nginx,
 * tells the script it may run wrk ({@code WORK/wrk-ready}) and waits for {@code WORK/wrk-done}. Prints markdown on stdout, progress on stderr, and {@code key=value} lines
 * into {@code WORK/results.properties}. A measurement, not a test: exit code 0 whatever the numbers.
 *
 * <pre>
 * java -cp server/target/test-classes:server/target/kubeassume.jar:MOCK_JARS io.kubeassume.server.FleetBench \
 *   --work=DIR --jar=server/target/kubeassume.jar --java-opts="..." [--replica-env="NAME=VALUE ..."]
 *   [--n=10000] [--replicas=2] [--phases=all|memory]
 *   [--propagations=100] [--api-window=300] [--cold-starts=3] [--port=18100] [--management-port=19100]
 *   [--serve-cpus=1 --other-cpus=0]
 * </pre>
 */
public final class FleetBench {
  static final String NS = "fleet";
  static final String HOST = "https://oidc.example.com";
  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(5);
  /** The mock logs every request at INFO through java.util.logging: far too much at this scale. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final Map<String, String> options;
  private final int n;
  private final Path work;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final Map<String, String> results = new LinkedHashMap<>();
  private final List<Replica> replicas = new ArrayList<>();
  private MockCluster cluster;

  private FleetBench(Map<String, String> options) {
    this.options = options;
    this.n = Integer.parseInt(options.getOrDefault("n", "10000"));
    this.work = Path.of(options.get("work"));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      options.put(a.substring(2, eq), a.substring(eq + 1));
    }
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    FleetBench bench = new FleetBench(options);
    Runtime.getRuntime().addShutdownHook(new Thread(bench::stopReplicas));
    int status = 0;
    try {
      bench.run();
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    } finally {
      bench.stopReplicas();
      bench.writeResults();
    }
    System.exit(status); // the mock server's threads would keep the JVM alive
  }

  // ------------------------------------------------------------------ the run

  private void run() throws Exception {
    Files.createDirectories(work);
    cluster = new MockCluster(work);
    try (InputStream crd = Files.newInputStream(TestServer.repoFile("deploy/crds/oidcissuers.kubeassume.io.yaml"))) {
      cluster.client.apiextensions().v1().customResourceDefinitions()
          .resource(cluster.client.getKubernetesSerialization().unmarshal(crd, CustomResourceDefinition.class)).create();
    }
    for (String ns : List.of(NS, MockCluster.NAMESPACE)) {
      cluster.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    }
    createObjects();

    int count = Integer.parseInt(options.getOrDefault("replicas", "2"));
    long t0 = System.nanoTime();
    for (int i = 0; i < count; i++) {
      replicas.add(Replica.start(this, i));
    }
    for (Replica r : replicas) {
      double s = awaitReady(r, t0, Duration.ofMinutes(30));
      progress("replica %s serves all %d issuers %.1f s after the replicas were launched", r.identity, n, s);
      result("bootstrap." + r.identity + ".seconds", String.format(Locale.ROOT, "%.2f", s));
    }
    Map<String, Long> bootstrap = awaitQuiet();
    result("bootstrap.requests", bootstrap.toString());
    String leader = cluster.leaseHolder();
    result("leader", leader);
    progress("leader: %s; API requests until quiet: %s", leader, bootstrap);
    Thread.sleep(10_000);
    memory("idle");
    if ("memory".equals(options.get("phases"))) {
      while (options.containsKey("hold") && !Files.exists(Path.of(options.get("hold")))) {
        Thread.sleep(500); // keep the replicas up for a heap dump until that file exists
      }
      return;
    }
    apiLoad(Integer.parseInt(options.getOrDefault("api-window", "300")));
    propagation(Integer.parseInt(options.getOrDefault("propagations", "100")));
    coldStarts(Integer.parseInt(options.getOrDefault("cold-starts", "3")));
    Replica served = options.containsKey("serve-cpus") ? servingOnOwnCpus() : replica(cluster.leaseHolder());
    writeDocroot(served);
    Files.writeString(work.resolve("wrk-ready"), served.port + "\n");
    progress("documents written under %s; waiting for %s", work.resolve("www"), work.resolve("wrk-done"));
    while (!Files.exists(work.resolve("wrk-done"))) {
      Thread.sleep(500);
    }
    memory("after-wrk");
  }

  // ------------------------------------------------------------------ objects

  private static String name(int i) {
    return String.format(Locale.ROOT, "c%05d", i);
  }

  static String issuerPath(int i) {
    return "/clusters/" + name(i);
  }

  private void createObjects() throws Exception {
    int poolSize = Math.min(n, Integer.parseInt(options.getOrDefault("key-pool", "64")));
    long k0 = System.nanoTime();
    List<String> pool = new ArrayList<>();
    for (int i = 0; i < poolSize; i++) {
      pool.add(Keys.pem(Keys.rsa().toPublicKey()));
    }
    progress("%d RSA-2048 keys generated in %.1f s", poolSize, seconds(k0));
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      putSecret(name(i), pool.get(i % poolSize));
      GenericKubernetesResource r = new GenericKubernetesResourceBuilder()
          .withApiVersion(OidcIssuers.GROUP + "/" + OidcIssuers.VERSION).withKind(OidcIssuers.KIND)
          .withNewMetadata().withNamespace(NS).withName(name(i)).endMetadata()
          .addToAdditionalProperties("spec", Map.of("issuerURL", HOST + issuerPath(i),
              "source", Map.of("secret", Map.of("name", name(i), "items", List.of("sa.pub")))))
          .build();
      cluster.client.genericKubernetesResources(OidcIssuers.CONTEXT).inNamespace(NS).resource(r).create();
      if ((i + 1) % 1000 == 0) {
        progress("created %d Secrets and %d OIDCIssuers (%.1f s)", i + 1, i + 1, seconds(t0));
        cluster.drainRequests();
      }
    }
    cluster.drainRequests();
    result("create.seconds", String.format(Locale.ROOT, "%.1f", seconds(t0)));
  }

  private void putSecret(String name, String pem) {
    Secret s = new SecretBuilder().withNewMetadata().withNamespace(NS).withName(name).endMetadata()
        .withData(Map.of("sa.pub", Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)))).build();
    cluster.client.secrets().inNamespace(NS).resource(s).createOr(r -> r.update());
  }

  // ------------------------------------------------------------------ readiness and cold start

  /** Seconds from {@code t0} until the replica's /readyz counts N ready issuers, then checked by a GET of every JWKS. */
  private double awaitReady(Replica r, long t0, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (!r.process.isAlive()) {
        throw new IllegalStateException("replica " + r.identity + " exited; see " + r.log);
      }
      if (readyCount(r) == n) {
        double s = seconds(t0);
        int failed = sweep(r);
        if (failed > 0) {
          throw new IllegalStateException("/readyz counts all issuers ready on " + r.identity + " but " + failed
              + " JWKS GETs did not answer 200");
        }
        return s;
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("replica " + r.identity + " did not serve every issuer within " + limit);
  }

  private int readyCount(Replica r) {
    try {
      HttpResponse<String> resp = http.send(HttpRequest.newBuilder(r.management("/readyz")).timeout(HTTP_TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonObject issuers = new JsonObject(resp.body()).getJsonObject("issuers");
      return issuers == null ? -1 : issuers.getInteger("ready", -1);
    } catch (Exception e) {
      return -1; // not listening yet
    }
  }

  /** GETs every issuer's JWKS (32 at once); returns how many did not answer 200. */
  private int sweep(Replica r) throws Exception {
    Semaphore inFlight = new Semaphore(32);
    AtomicInteger failed = new AtomicInteger();
    List<CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inFlight.acquire();
      all.add(http.sendAsync(HttpRequest.newBuilder(r.uri(issuerPath(i) + "/openid/v1/jwks")).timeout(HTTP_TIMEOUT).build(),
          HttpResponse.BodyHandlers.discarding()).whenComplete((resp, e) -> {
            if (e != null || resp.statusCode() != 200) {
              failed.incrementAndGet();
            }
            inFlight.release();
          }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
    return failed.get();
  }

  /** Restarts a follower {@code times} times and measures launch → every issuer served (the leader keeps running). */
  private void coldStarts(int times) throws Exception {
    List<Double> took = new ArrayList<>();
    for (int k = 0; k < times; k++) {
      String leader = cluster.leaseHolder();
      Replica follower = replicas.stream().filter(r -> !r.identity.equals(leader)).findFirst().orElseThrow();
      follower.stop();
      Thread.sleep(2000);
      long t0 = System.nanoTime();
      Replica again = Replica.start(this, follower.index);
      replicas.set(replicas.indexOf(follower), again);
      double s = awaitReady(again, t0, Duration.ofMinutes(5));
      took.add(s);
      progress("cold start %d of %d (%s, the leader %s running): every issuer served after %.2f s (load %s)", k + 1, times,
          again.identity, leader, s, load());
      Thread.sleep(5000);
    }
    result("coldstart.seconds", took.stream().map(s -> String.format(Locale.ROOT, "%.2f", s)).toList().toString());
    System.out.printf(Locale.ROOT, "%n### Cold start of a follower (%d issuers; load average after %s)%n%n", n, load());
    System.out.println("launch → /readyz counts every issuer ready (then a GET of every JWKS answered 200): "
        + took.stream().map(s -> String.format(Locale.ROOT, "%.2f s", s)).toList());
  }

  /**
   * Restarts a follower on the CPUs {@code --serve-cpus} names, so that it sizes itself for them as in a
   * container with that many CPUs, and moves this JVM and every other replica to {@code --other-cpus},
   * where the script runs wrk: the served replica then shares its CPUs with nothing but its own
   * threads, as nginx does with the same CPUs. Returns the replica wrk is to ask.
   */
  private Replica servingOnOwnCpus() throws Exception {
    String leader = cluster.leaseHolder();
    Replica follower = replicas.stream().filter(r -> !r.identity.equals(leader)).findFirst().orElseThrow();
    follower.stop();
    Thread.sleep(2000);
    long t0 = System.nanoTime();
    Replica pinned = Replica.start(this, follower.index, options.get("serve-cpus"));
    replicas.set(replicas.indexOf(follower), pinned);
    double s = awaitReady(pinned, t0, Duration.ofMinutes(5));
    String others = options.get("other-cpus");
    if (others != null) {
      for (Replica r : replicas) {
        if (r != pinned) {
          taskset(others, r.process.pid());
        }
      }
      taskset(others, ProcessHandle.current().pid());
    }
    progress("%s restarted on CPUs %s for wrk (others on %s): every issuer served after %.2f s", pinned.identity,
        options.get("serve-cpus"), others == null ? "any CPU" : others, s);
    result("served.replica", pinned.identity);
    result("served.cpus", options.get("serve-cpus"));
    return pinned;
  }

  /** Moves every thread of a process to the given CPUs. */
  private static void taskset(String cpus, long pid) throws Exception {
    Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("taskset -a -p -c " + cpus + " " + pid + ": " + out.strip());
    }
  }

  // ------------------------------------------------------------------ memory

  private void memory(String when) throws Exception {
    System.out.printf(Locale.ROOT, "%n### Memory (%s, %d issuers; load average %s)%n%n", when, n, load());
    System.out.println("| replica | role | heap used after full GC | RSS | peak RSS (VmHWM) | peak with the benchmark's jcmd |");
    System.out.println("|---|---|---:|---:|---:|---:|");
    String leader = cluster.leaseHolder();
    for (Replica r : replicas) {
      String role = r.identity.equals(leader) ? "leader" : "follower";
      awaitIdle(r);
      // The peak is read before this benchmark's own diagnostics (full collections, a class histogram
      // in C heap), which can raise it, and reset after them, so that it stays the server's own peak.
      long hwm = procStatus(r, "VmHWM");
      jcmd(r, "GC.run");
      jcmd(r, "GC.run");
      String info = jcmd(r, "GC.heap_info");
      if (Boolean.getBoolean("fleet.allHistogram")) { // every object on the heap now, reachable or not: what heap_info counts
        Files.writeString(work.resolve("histogram-all-" + when + "-" + role + "-" + n + ".txt"), jcmd(r, "GC.class_histogram -all"));
      }
      long heapKib = usedKib(info);
      Files.writeString(work.resolve("histogram-" + when + "-" + role + "-" + n + ".txt"), jcmd(r, "GC.class_histogram"));
      Files.writeString(work.resolve("heap-info-" + when + "-" + role + "-" + n + ".txt"), info);
      if (Boolean.getBoolean("fleet.heapDump")) { // -Dfleet.heapDump=true: for finding what an issuer costs
        // -all: no collection first, so what the histogram counted is in it, reachable or not
        jcmd(r, "GC.heap_dump -all " + work.resolve("heap-" + when + "-" + role + "-" + n + ".hprof"));
      }
      if (options.getOrDefault("java-opts", "").contains("NativeMemoryTracking")) { // where resident memory beyond the heap goes
        Files.writeString(work.resolve("native-" + when + "-" + role + "-" + n + ".txt"), jcmd(r, "VM.native_memory summary"));
      }
      long rss = procStatus(r, "VmRSS");
      long hwmWithDiagnostics = procStatus(r, "VmHWM");
      resetPeak(r);
      System.out.printf(Locale.ROOT, "| %s | %s | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB |%n", r.identity, role,
          heapKib / 1024.0, rss / 1024.0, hwm / 1024.0, hwmWithDiagnostics / 1024.0);
      result("memory." + when + "." + role + ".heap_kib", Long.toString(heapKib));
      result("memory." + when + "." + role + ".rss_kib", Long.toString(rss));
      result("memory." + when + "." + role + ".hwm_kib", Long.toString(hwm));
      result("memory." + when + "." + role + ".hwm_with_diagnostics_kib", Long.toString(hwmWithDiagnostics));
    }
    Files.writeString(work.resolve("object-sample.json"), cluster.client.getKubernetesSerialization().asJson(
        cluster.client.genericKubernetesResources(OidcIssuers.CONTEXT).inNamespace(NS).withName(name(0)).get()));
    String jwks = get(replicas.get(0), issuerPath(0) + "/openid/v1/jwks");
    String discovery = get(replicas.get(0), issuerPath(0) + "/.well-known/openid-configuration");
    result("documents.bytes", Integer.toString(jwks.getBytes(StandardCharsets.UTF_8).length
        + discovery.getBytes(StandardCharsets.UTF_8).length));
  }

  /** Used KiB of the serial collector's two generations (or G1's "used" figure). */
  static long usedKib(String heapInfo) {
    long sum = 0;
    for (String line : heapInfo.split("\n")) {
      String l = line.strip();
      if (l.startsWith("def new generation") || l.startsWith("tenured generation") || l.startsWith("garbage-first heap")
          || l.startsWith("PSYoungGen") || l.startsWith("ParOldGen")) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(l);
        if (m.find()) {
          sum += Long.parseLong(m.group(1));
        }
      }
    }
    return sum;
  }

  private static String jcmd(Replica r, String command) throws Exception {
    Process p = new ProcessBuilder("jcmd", Long.toString(r.process.pid()), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  /**
   * Resets the process's VmHWM to its current resident size (Linux 4.0+, {@code clear_refs} value 5), so the
   * next reading is the peak since now. Without it, what jcmd's collections and histogram touched would
   * count as the server's peak in every later phase.
   */
  private static void resetPeak(Replica r) throws IOException {
    Files.writeString(Path.of("/proc", Long.toString(r.process.pid()), "clear_refs"), "5");
  }

  private static long procStatus(Replica r, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(r.process.pid()), "status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  /**
   * Waits (at most a minute) until the replica is idle: under 2 % of a core over 2 s. The API server
   * falls quiet before a replica has worked through what it was sent (a watch's last events, the
   * informer's queue), and objects in flight then would count as heap per issuer.
   */
  private static void awaitIdle(Replica r) throws Exception {
    long until = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    double before = cpuSeconds(r);
    while (System.nanoTime() < until) {
      Thread.sleep(2000);
      double now = cpuSeconds(r);
      if (now - before < 0.04) {
        return;
      }
      before = now;
    }
    progress("%s still busy after a minute; measuring anyway", r.identity);
  }

  /** User + system CPU seconds the process has used so far. */
  private static double cpuSeconds(Replica r) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(r.process.pid()), "stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in clock ticks (USER_HZ = 100)
  }

  // ------------------------------------------------------------------ API server load

  /** Waits until no OIDCIssuer or Secret has been written for 5 s; returns the requests seen until then, by kind. */
  private Map<String, Long> awaitQuiet() throws Exception {
    Map<String, Long> seen = new TreeMap<>();
    long quietSince = System.nanoTime();
    while (seconds(quietSince) < 5) {
      Thread.sleep(500);
      for (RecordedRequest r : cluster.drainRequests()) {
        String kind = kind(r);
        seen.merge(kind, 1L, Long::sum);
        if (kind.startsWith("PUT") || kind.startsWith("POST") || kind.startsWith("PATCH")) {
          if (!kind.contains("leases")) {
            quietSince = System.nanoTime();
          }
        }
      }
    }
    return seen;
  }

  private void apiLoad(int windowSeconds) throws Exception {
    cluster.drainRequests();
    Map<String, double[]> cpu0 = new LinkedHashMap<>();
    for (Replica r : replicas) {
      cpu0.put(r.identity, new double[] {cpuSeconds(r)});
    }
    long t0 = System.nanoTime();
    Map<String, Map<String, Long>> byReplica = new TreeMap<>();
    while (seconds(t0) < windowSeconds) {
      Thread.sleep(1000);
      for (RecordedRequest r : cluster.drainRequests()) {
        byReplica.computeIfAbsent(token(r), k -> new TreeMap<>()).merge(kind(r), 1L, Long::sum);
      }
    }
    double window = seconds(t0);
    String leader = cluster.leaseHolder();
    System.out.printf(Locale.ROOT, "%n### API server requests at steady state (%d issuers, %.0f s window, scaled to an hour; "
        + "load average after %s)%n%n", n, window, load());
    System.out.println("| replica | request | in the window | per hour |");
    System.out.println("|---|---|---:|---:|");
    long total = 0;
    for (Map.Entry<String, Map<String, Long>> e : byReplica.entrySet()) {
      String who = e.getKey() + (e.getKey().equals(leader) ? " (leader)" : "");
      for (Map.Entry<String, Long> k : e.getValue().entrySet()) {
        total += k.getValue();
        System.out.printf(Locale.ROOT, "| %s | `%s` | %d | %.0f |%n", who, k.getKey(), k.getValue(), k.getValue() * 3600 / window);
      }
    }
    System.out.printf(Locale.ROOT, "| all | all | %d | %.0f |%n", total, total * 3600 / window);
    result("api.window.seconds", String.format(Locale.ROOT, "%.0f", window));
    result("api.total.per_hour", String.format(Locale.ROOT, "%.0f", total * 3600 / window));
    result("api.by_replica", byReplica.toString());
    System.out.println();
    for (Replica r : replicas) {
      double used = cpuSeconds(r) - cpu0.get(r.identity)[0];
      String role = r.identity.equals(leader) ? "leader" : "follower";
      System.out.printf(Locale.ROOT, "CPU used by %s (%s) in the window: %.1f s (%.1f %% of one core)%n", r.identity, role,
          used, 100 * used / window);
      result("api.cpu." + role + ".percent", String.format(Locale.ROOT, "%.1f", 100 * used / window));
    }
  }

  /** The replica (its kubeconfig token) that sent a request. */
  private static String token(RecordedRequest r) {
    String h = r.getHeader("Authorization");
    return h == null ? "none" : h.replaceFirst("^Bearer ", "");
  }

  /** Verb and path kind: e.g. {@code GET list secrets}, {@code WATCH oidcissuers}, {@code PUT oidcissuers/status}. */
  static String kind(RecordedRequest r) {
    String path = r.getPath() == null ? "" : r.getPath();
    String query = path.contains("?") ? path.substring(path.indexOf('?') + 1) : "";
    String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    String[] seg = Arrays.stream(p.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    // /api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUB]] or /apis/GROUP/VERSION[/namespaces/NS]/RESOURCE[/NAME[/SUB]]
    int i = seg.length > 0 && seg[0].equals("api") ? 2 : 3;
    if (seg.length > i + 1 && seg[i].equals("namespaces")) {
      i += 2;
    }
    if (seg.length <= i) {
      return r.getMethod() + " " + p;
    }
    String resource = seg[i];
    boolean named = seg.length > i + 1;
    String sub = seg.length > i + 2 ? "/" + seg[i + 2] : "";
    String verb = r.getMethod();
    if (query.contains("watch=true")) {
      verb = "WATCH";
    } else if (verb.equals("GET") && !named) {
      verb = "LIST";
    }
    return verb + " " + resource + sub;
  }

  // ------------------------------------------------------------------ propagation

  /** Changes {@code k} Secrets one after another; for each, the time until every replica serves the new kid. */
  private void propagation(int k) throws Exception {
    Random random = new Random(12);
    List<RSAKey> fresh = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      fresh.add(Keys.rsa());
    }
    List<Double> every = new ArrayList<>();
    Map<String, List<Double>> perReplica = new LinkedHashMap<>();
    for (int i = 0; i < k; i++) {
      int issuer = random.nextInt(n);
      RSAKey key = fresh.get(i);
      String kid = KeyIds.apiServerKid(key.toPublicKey());
      List<CompletableFuture<Double>> seen = new ArrayList<>();
      long t0 = System.nanoTime();
      putSecret(name(issuer), Keys.pem(key.toPublicKey()));
      for (Replica r : replicas) {
        seen.add(CompletableFuture.supplyAsync(() -> awaitKid(r, issuerPath(issuer), kid, t0)));
      }
      double max = 0;
      for (int j = 0; j < replicas.size(); j++) {
        double ms = seen.get(j).join();
        perReplica.computeIfAbsent(replicas.get(j).identity, x -> new ArrayList<>()).add(ms);
        max = Math.max(max, ms);
      }
      every.add(max);
      if ((i + 1) % 10 == 0) {
        progress("propagation %d of %d: %.0f ms", i + 1, k, max);
      }
      Thread.sleep(200);
    }
    System.out.printf(Locale.ROOT, "%n### Secret change → every replica serves the new key (%d issuers, %d changes, one "
        + "every 200 ms after the previous one was served; load average after %s)%n%n", n, k, load());
    System.out.println("| | p50 ms | p99 ms | max ms |");
    System.out.println("|---|---:|---:|---:|");
    System.out.printf(Locale.ROOT, "| every replica | %.0f | %.0f | %.0f |%n", pct(every, 50), pct(every, 99), pct(every, 100));
    String leader = cluster.leaseHolder();
    for (Map.Entry<String, List<Double>> e : perReplica.entrySet()) {
      System.out.printf(Locale.ROOT, "| %s%s | %.0f | %.0f | %.0f |%n", e.getKey(), e.getKey().equals(leader) ? " (leader)" : "",
          pct(e.getValue(), 50), pct(e.getValue(), 99), pct(e.getValue(), 100));
    }
    result("propagation.ms.p50", String.format(Locale.ROOT, "%.0f", pct(every, 50)));
    result("propagation.ms.p99", String.format(Locale.ROOT, "%.0f", pct(every, 99)));
    result("propagation.ms.max", String.format(Locale.ROOT, "%.0f", pct(every, 100)));
    Files.writeString(work.resolve("propagation-ms.txt"), every.toString() + "\n");
  }

  /** Polls the replica every 5 ms until its JWKS for {@code path} holds {@code kid}; ms since {@code t0}. */
  private double awaitKid(Replica r, String path, String kid, long t0) {
    long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        if (get(r, path + "/openid/v1/jwks").contains(kid)) {
          return (System.nanoTime() - t0) / 1e6;
        }
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (Exception e) {
        // retry until the deadline
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  /** Nearest-rank percentile. */
  static double pct(List<Double> values, int p) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int rank = (int) Math.ceil(p / 100.0 * v.length);
    return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
  }

  // ------------------------------------------------------------------ wrk handoff

  /** Writes every document kubeassume serves under WORK/www, and their paths into WORK/paths.txt. */
  private void writeDocroot(Replica r) throws Exception {
    Path www = work.resolve("www");
    StringBuilder paths = new StringBuilder();
    for (int i = 0; i < n; i++) {
      for (String doc : List.of("/.well-known/openid-configuration", "/openid/v1/jwks")) {
        String path = issuerPath(i) + doc;
        Path file = www.resolve(path.substring(1));
        Files.createDirectories(file.getParent());
        Files.writeString(file, get(r, path));
        paths.append(path).append('\n');
      }
    }
    Files.writeString(work.resolve("paths.txt"), paths);
  }

  private String get(Replica r, String path) throws Exception {
    HttpResponse<String> resp = http.send(HttpRequest.newBuilder(r.uri(path)).timeout(HTTP_TIMEOUT).build(),
        HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() != 200) {
      throw new IOException("GET " + path + " on " + r.identity + ": " + resp.statusCode());
    }
    return resp.body();
  }

  // ------------------------------------------------------------------ replicas

  private Replica replica(String identity) {
    return replicas.stream().filter(r -> r.identity.equals(identity)).findFirst().orElseThrow();
  }

  private void stopReplicas() {
    for (Replica r : replicas) {
      r.stop();
    }
  }

  /** One kubeassume process: {@code serve --issuers kubernetes} on the mock API server, as replica-INDEX. */
  private static final class Replica {
    final int index;
    final String identity;
    final int port;
    final int managementPort;
    final Process process;
    final Path log;

    private Replica(int index, String identity, int port, int managementPort, Process process, Path log) {
      this.index = index;
      this.identity = identity;
      this.port = port;
      this.managementPort = managementPort;
      this.process = process;
      this.log = log;
    }

    static Replica start(FleetBench bench, int index) throws Exception {
      return start(bench, index, null);
    }

    /** Starts replica-INDEX, on the given CPUs ({@code taskset -c}) unless null. */
    static Replica start(FleetBench bench, int index, String cpus) throws Exception {
      String identity = "replica-" + index;
      int port = Integer.parseInt(bench.options.getOrDefault("port", "18100")) + index;
      int mport = Integer.parseInt(bench.options.getOrDefault("management-port", "19100")) + index;
      List<String> command = new ArrayList<>();
      if (cpus != null) {
        command.addAll(List.of("taskset", "-c", cpus));
      }
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      String opts = bench.options.getOrDefault("java-opts", "").strip();
      if (!opts.isEmpty()) {
        command.addAll(List.of(opts.split("\\s+")));
      }
      command.addAll(List.of("-jar", bench.options.get("jar"), "serve", "--issuers", "kubernetes",
          "--kubeconfig", bench.cluster.kubeconfig(identity).toString(),
          "--leader-election-namespace", MockCluster.NAMESPACE,
          "--bind", "127.0.0.1", "--port", Integer.toString(port), "--management-port", Integer.toString(mport),
          "--log-level", bench.options.getOrDefault("log-level", "warn")));
      Path log = bench.work.resolve(identity + ".log");
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().put("POD_NAME", identity);
      for (String pair : bench.options.getOrDefault("replica-env", "").strip().split("\\s+")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          pb.environment().put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
      Files.writeString(log, "== " + Instant.now() + " " + String.join(" ", command) + "\n",
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      return new Replica(index, identity, port, mport, pb.start(), log);
    }

    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + port + path);
    }

    URI management(String path) {
      return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    void stop() {
      if (process.isAlive()) {
        process.destroy();
        try {
          if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
          }
        } catch (InterruptedException e) {
          process.destroyForcibly();
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  // ------------------------------------------------------------------ output

  private void result(String key, String value) {
    results.put(key, value);
  }

  private void writeResults() {
    StringBuilder b = new StringBuilder();
    results.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    try {
      Files.writeString(work.resolve("results.properties"), b);
    } catch (IOException e) {
      progress("cannot write results: %s", e);
    }
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  /** The 1, 5 and 15 minute load averages, to print beside every measurement. */
  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " / " + f[1] + " / " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void progress(String format, Object... args) {
    System.err.printf(Locale.ROOT, "[fleet %tT] %s%n", new java.util.Date(), String.format(Locale.ROOT, format, args));
  }
}
