package io.kubeassume.gcp;

import io.kubeassume.document.IssuerUrl;
import io.kubeassume.document.Snapshot;
import io.kubeassume.mirror.MirrorException;
import io.kubeassume.mirror.MirrorLocation;
import io.kubeassume.mirror.ObjectOutcome;
import io.kubeassume.mirror.PublishResult;
import io.kubeassume.mirror.SnapshotPublisher;
import io.kubeassume.setup.JsonHttp;
import io.kubeassume.setup.SetupException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code gcp-wif://} mirror: keeps a GCP workload identity pool provider's uploaded JWKS
 * ({@code oidc.jwksJson}) equal to the served keys, so GCP trusts tokens of an issuer it cannot fetch from.
 *
 * <p>Each publish reads the provider, then decides as the bucket mirrors do: the same key set is left alone
 * ({@code unchanged}); a provider recording a newer revision is left alone ({@code superseded}); otherwise the
 * keys {@link UploadedJwks#select selected} from the snapshot (at most 8: current keys, then the most recently
 * retired) are written with one PATCH, {@code updateMask=oidc.jwksJson,description}, whose description records
 * the revision ({@link ProviderRevision}); the long-running operation is followed to its end and the provider
 * read again to confirm. A refused write (409, or an operation ABORTED by a concurrent change), a transient
 * answer (429, 5xx) or an unreachable endpoint is retried after re-reading, with jittered exponential back-off,
 * up to {@code attempts} times.
 *
 * <p>IAM has no conditional update for providers (no etag, no precondition), so two replicas that read and then
 * write at the same moment could let the older one land last. Writing is therefore left to one replica: the
 * {@code writes} supplier says whether this replica writes now (with the ConfigMap store, while it holds the
 * leader Lease; alone, always). A replica that does not write still reads and reports {@code unchanged},
 * {@code superseded}, or {@code standby} when a write is due ({@link ObjectOutcome#DEFERRED}).
 *
 * <p>Blocking: run it on a worker thread.
 */
public final class GcpWifPublisher implements SnapshotPublisher {
  private static final Logger log = LoggerFactory.getLogger(GcpWifPublisher.class);
  public static final String GET = "iam.workloadIdentityPoolProviders.get";
  public static final String UPDATE = "iam.workloadIdentityPoolProviders.update";
  /** The keys and the revision they belong to change in one update, so the two always agree. */
  static final List<String> MASK = List.of("oidc.jwksJson", "description");
  public static final int DEFAULT_ATTEMPTS = 5;
  public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
  /** google.rpc.Code ABORTED: the operation lost to a concurrent change. */
  static final int ABORTED = 10;

  private final MirrorLocation location;
  private final String name;
  private final String poolName;
  private final WorkloadIdentityIam iam;
  private final IssuerUrl issuer;
  private final BooleanSupplier writes;
  private final int attempts;
  private final Duration backoff;
  private final WorkloadIdentityIam.Pause pause;

  public GcpWifPublisher(MirrorLocation location, WorkloadIdentityIam iam, IssuerUrl issuer, BooleanSupplier writes) {
    this(location, iam, issuer, writes, DEFAULT_ATTEMPTS, DEFAULT_BACKOFF, d -> Thread.sleep(d.toMillis()));
  }

  public GcpWifPublisher(MirrorLocation location, WorkloadIdentityIam iam, IssuerUrl issuer, BooleanSupplier writes,
      int attempts, Duration backoff, WorkloadIdentityIam.Pause pause) {
    this.location = Objects.requireNonNull(location, "location");
    this.name = location.gcpProviderName();
    this.poolName = name.substring(0, name.indexOf("/providers/"));
    this.iam = Objects.requireNonNull(iam, "iam");
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.writes = Objects.requireNonNull(writes, "writes");
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1");
    }
    this.attempts = attempts;
    this.backoff = backoff;
    this.pause = pause;
  }

  @Override
  public String describe() {
    return "its uploaded JWKS (oidc.jwksJson, at most " + UploadedJwks.MAX_KEYS + " keys; revision in the description)";
  }

  /**
   * Reads the provider once and asks IAM whether kubeassume may update it: a missing, deleted or non-OIDC
   * provider, or a missing permission, is one line naming it. Writes nothing.
   */
  @Override
  public void check() {
    JsonObject p;
    Set<String> granted;
    try {
      p = read();
      granted = iam.permissions(poolName, List.of(GET, UPDATE));
    } catch (MirrorException e) {
      throw new MirrorException("--mirror " + location + ": " + e.getMessage(), e);
    } catch (SetupException e) {
      throw new MirrorException("--mirror " + location + ": cannot ask IAM which permissions kubeassume has ("
          + e.getMessage() + "); check --gcp-iam-endpoint and the network", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MirrorException("--mirror " + location + ": interrupted while checking the provider");
    }
    if (!granted.contains(UPDATE)) {
      throw new MirrorException("--mirror " + location + ": kubeassume's identity lacks " + UPDATE + " on workload "
          + "identity pool " + location.bucket() + " (IAM reports only " + granted + "); " + grantFix());
    }
    JsonObject oidc = p.getJsonObject("oidc");
    if (p.getBoolean("disabled", false)) {
      log.warn("mirror {}: the provider is disabled, so GCP refuses every token of this issuer; kubeassume keeps its "
          + "keys up to date anyway (kubeassume setup gcp --issuer-url {} --project {} --pool-id {} --provider-id {} "
          + "re-enables it)", location, issuer, location.account(), location.bucket(), location.prefix());
    }
    if (!issuer.value().equals(oidc.getString("issuerUri"))) {
      log.warn("mirror {}: the provider's issuerUri is '{}' but tokens carry iss '{}': GCP refuses them whatever keys it "
          + "holds (fix: kubeassume setup gcp --issuer-url {} ...)", location, oidc.getString("issuerUri"), issuer,
          issuer);
    }
    if (UploadedJwks.parse(oidc.getString("jwksJson")) == null) {
      log.info("mirror {}: the provider has no uploaded JWKS yet; the first publish uploads the served keys and GCP "
          + "then uses those instead of fetching jwks_uri", location);
    }
  }

  @Override
  public PublishResult publish(Snapshot snapshot) throws InterruptedException {
    UploadedJwks.Selection wanted;
    try {
      wanted = UploadedJwks.select(snapshot.keys());
    } catch (IllegalArgumentException e) {
      throw new MirrorException(e.getMessage() + "; nothing was uploaded, the provider keeps its keys: serve at most "
          + UploadedJwks.MAX_KEYS + " current keys");
    }
    long revision = snapshot.revision();
    int failures = 0;
    int raced = 0;
    boolean wrote = false;
    boolean sent = false;
    String last = null;
    while (true) {
      JsonObject p = read();
      String description = p.getString("description");
      long held = ProviderRevision.of(description);
      if (UploadedJwks.sameKeys(UploadedJwks.parse(p.getJsonObject("oidc").getString("jwksJson")), wanted.keys())) {
        // Ours if we wrote it, or sent a PATCH that landed although its answer was lost.
        boolean ours = wrote || (sent && held == revision);
        return result(revision, ours ? ObjectOutcome.WRITTEN : ObjectOutcome.UNCHANGED, raced, wanted);
      }
      if (held > revision) {
        return result(revision, ObjectOutcome.SUPERSEDED, raced, wanted);
      }
      if (!writes.getAsBoolean()) {
        return result(revision, ObjectOutcome.DEFERRED, raced, wanted);
      }
      if (wrote) {
        // Our update finished, yet another key set at an older revision is there now: someone wrote in between.
        raced++;
        failures++;
        wrote = false;
        last = "the provider held revision " + held + " right after revision " + revision + " was written";
      }
      if (failures >= attempts) {
        throw new MirrorException("gave up updating the uploaded JWKS after " + attempts + " attempts: " + last);
      }
      if (failures > 0) {
        pause.pause(backoff(failures));
      }
      sent = true;
      String problem = write(wanted, revision, description);
      if (problem == null) {
        wrote = true;
        continue;
      }
      if (problem.startsWith(RACE)) {
        raced++;
      }
      failures++;
      last = problem;
    }
  }

  private static final String RACE = "lost a race: ";

  /**
   * One PATCH and its operation. Null when it finished; else why it should be retried (prefixed {@link #RACE}
   * for a concurrent change).
   *
   * @throws MirrorException for a refusal that retrying cannot fix
   */
  private String write(UploadedJwks.Selection wanted, long revision, String description) throws InterruptedException {
    JsonObject body = new JsonObject()
        .put("description", ProviderRevision.apply(description, revision))
        .put("oidc", new JsonObject().put("jwksJson", wanted.json()));
    JsonHttp.Response r;
    try {
      r = iam.patch(name, MASK, body);
    } catch (SetupException e) {
      if (WorkloadIdentityIam.unreachable(e)) {
        return e.getMessage();
      }
      throw new MirrorException("cannot update the provider: " + e.getMessage(), e);
    }
    if (r.status() == 409) {
      return RACE + "409 " + r.errorMessage();
    }
    if (WorkloadIdentityIam.transientStatus(r.status())) {
      return "HTTP " + r.status() + " " + r.errorMessage();
    }
    if (!r.ok()) {
      throw new MirrorException(switch (r.status()) {
        case 400 -> "Google refused the uploaded JWKS (400 " + r.errorMessage() + "); the keys were " + wanted.kids();
        case 403 -> "Google denied " + UPDATE + " (403 " + r.errorMessage() + "); " + grantFix();
        default -> problem(r, "update the provider");
      });
    }
    try {
      iam.await(r.json() == null ? new JsonObject().put("done", true) : r.json(), "update the provider");
      return null;
    } catch (WorkloadIdentityIam.OperationFailed e) {
      if (e.code() == ABORTED) {
        return RACE + e.getMessage();
      }
      throw new MirrorException(e.getMessage());
    } catch (SetupException e) {
      // The operation could not be followed: what the provider holds now decides.
      return e.getMessage();
    }
  }

  /** The provider, usable as a target: it exists, is not deleted and is an OIDC provider. */
  private JsonObject read() throws InterruptedException {
    JsonHttp.Response r;
    try {
      r = iam.get(name);
    } catch (SetupException e) {
      throw new MirrorException(WorkloadIdentityIam.unreachable(e)
          ? "cannot reach the IAM API (" + e.getMessage() + "); check --gcp-iam-endpoint and the network"
          : "cannot read the provider: " + e.getMessage(), e);
    }
    if (!r.ok()) {
      throw new MirrorException(switch (r.status()) {
        case 404 -> "the provider does not exist (404 " + r.errorMessage() + "); create it first: kubeassume setup gcp "
            + "--issuer-url " + issuer + " --project " + location.account() + " --pool-id " + location.bucket()
            + " --provider-id " + location.prefix();
        case 403 -> "cannot read the provider: Google denied " + GET + " (403 " + r.errorMessage() + "); " + grantFix();
        default -> problem(r, "read the provider");
      });
    }
    JsonObject p = r.json() == null ? new JsonObject() : r.json();
    if ("DELETED".equals(p.getString("state"))) {
      throw new MirrorException("the provider is deleted (kept for 30 days, then purged); restore it: gcloud iam "
          + "workload-identity-pools providers undelete " + location.prefix() + " --workload-identity-pool="
          + location.bucket() + " --location=global --project=" + location.account());
    }
    if (!(p.getValue("oidc") instanceof JsonObject)) {
      throw new MirrorException("the provider is not an OIDC provider (it has no oidc section: an AWS, SAML or X.509 "
          + "provider); name an OIDC provider in --mirror, e.g. one made by kubeassume setup gcp");
    }
    return p;
  }

  private static String problem(JsonHttp.Response r, String what) {
    if (r.status() == 401) {
      return "Google rejected the credentials (401 " + r.errorMessage() + "); check GOOGLE_APPLICATION_CREDENTIALS or "
          + "the pod's workload identity";
    }
    return "cannot " + what + ": HTTP " + r.status() + " " + r.errorMessage();
  }

  private static String grantFix() {
    return "grant kubeassume's identity a role with " + GET + " and " + UPDATE + " on the pool (the custom role in "
        + "docs/setup-gcp.md, 'Issuers that are not public')";
  }

  private PublishResult result(long revision, ObjectOutcome jwks, int raced, UploadedJwks.Selection wanted) {
    return new PublishResult(location.toString(), revision, jwks, ObjectOutcome.NONE, raced, wanted.leftOut());
  }

  /** base x 2^(failures-1), with full jitter: uniformly in [0, that]. */
  private Duration backoff(int failures) {
    long cap = backoff.toMillis() << Math.min(failures - 1, 10);
    return Duration.ofMillis(cap <= 0 ? 0 : java.util.concurrent.ThreadLocalRandom.current().nextLong(cap + 1));
  }
}
