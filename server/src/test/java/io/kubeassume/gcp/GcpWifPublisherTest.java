package io.kubeassume.gcp;

import static io.kubeassume.gcp.GcpWifFixture.ISSUER;
import static io.kubeassume.gcp.GcpWifFixture.NAME;
import static io.kubeassume.gcp.GcpWifFixture.publisher;
import static io.kubeassume.gcp.GcpWifFixture.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.document.Snapshot;
import io.kubeassume.mirror.MirrorException;
import io.kubeassume.mirror.ObjectOutcome;
import io.kubeassume.mirror.PublishResult;
import io.kubeassume.setup.FakeRest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GcpWifPublisher} against {@link FakeIam} over a socket, with the real google-auth credentials and the
 * JDK HTTP client: what is sent, what is decided, and how refusals and transient answers are retried.
 */
class GcpWifPublisherTest {
  static final String PATCH = "PATCH /v1/" + NAME + "?updateMask=oidc.jwksJson,description";

  FakeIam iam;

  @BeforeEach
  void start() throws Exception {
    iam = new FakeIam();
    iam.addProvider(NAME, ISSUER.value());
  }

  @AfterEach
  void stop() {
    iam.close();
  }

  private List<String> held() {
    List<java.util.Map<String, Object>> keys = iam.uploaded(NAME);
    return keys == null ? null : keys.stream().map(k -> String.valueOf(k.get("kid"))).toList();
  }

  private long revision() {
    return ProviderRevision.of(iam.provider(NAME).getString("description"));
  }

  @Test
  void theFirstPublishUploadsTheServedKeysAndTheirRevisionInOneUpdateAndFollowsTheOperation() throws Exception {
    iam.pollsUntilDone = 3;
    Snapshot s = snapshot(4, "a", "b");

    PublishResult r = publisher(iam, () -> true).publish(s);

    assertEquals(new PublishResult(GcpWifFixture.LOCATION.toString(), 4, ObjectOutcome.WRITTEN, ObjectOutcome.NONE, 0,
        List.of()), r);
    assertEquals(List.of(
        "GET /v1/" + NAME,
        PATCH,
        "GET /v1/" + NAME + "/operations/op-1",
        "GET /v1/" + NAME + "/operations/op-1",
        "GET /v1/" + NAME + "/operations/op-1",
        "GET /v1/" + NAME), iam.lines(), "read, one update, the operation to its end, read again to confirm");
    FakeRest.Request patch = iam.rest().requests().get(1);
    JsonObject body = patch.json();
    assertEquals(UploadedJwks.select(s.keys()).json(), body.getJsonObject("oidc").getString("jwksJson"));
    assertEquals(List.of("description", "oidc"), List.copyOf(body.fieldNames()), "nothing but the masked fields");
    assertEquals("Bearer " + FakeIam.TOKEN, patch.authorization());
    assertEquals(List.of("a", "b"), held());
    assertEquals(4, revision());
    JsonObject p = iam.provider(NAME);
    assertEquals(ISSUER.value(), p.getJsonObject("oidc").getString("issuerUri"), "other fields are untouched");
    assertEquals("assertion.sub", p.getJsonObject("attributeMapping").getString("google.subject"));
    assertEquals(List.of(new FakeIam.Write(NAME, 4, List.of("a", "b"), iam.writes.get(0).atNanos())), iam.writes);
  }

  @Test
  void theSameKeySetIsNotWrittenAgainWhateverItsOrderOrRecordedRevision() throws Exception {
    Snapshot s = snapshot(4, "a", "b");
    JsonObject p = iam.provider(NAME);
    io.vertx.core.json.JsonArray keys = new JsonObject(UploadedJwks.select(s.keys()).json()).getJsonArray("keys");
    List<Object> reversed = new java.util.ArrayList<>();
    keys.forEach(reversed::add);
    java.util.Collections.reverse(reversed);
    p.getJsonObject("oidc").put("jwksJson", new JsonObject().put("keys", reversed).encode());
    p.put("description", "set by hand [kubeassume-revision=2]");
    iam.putProvider(NAME, p);

    PublishResult r = publisher(iam, () -> true).publish(s);

    assertEquals(ObjectOutcome.UNCHANGED, r.jwks());
    assertTrue(r.unchanged());
    assertEquals(List.of("GET /v1/" + NAME), iam.lines());
  }

  @Test
  void aProviderRecordingANewerRevisionIsLeftAlone() throws Exception {
    publisher(iam, () -> true).publish(snapshot(9, "a", "newer"));
    iam.rest().clear();

    PublishResult r = publisher(iam, () -> true).publish(snapshot(8, "a"));

    assertEquals(ObjectOutcome.SUPERSEDED, r.jwks());
    assertEquals(List.of("GET /v1/" + NAME), iam.lines());
    assertEquals(List.of("a", "newer"), held());
    assertEquals(9, revision());
  }

  @Test
  void aReplicaThatDoesNotWriteReportsStandbyAndWritesNothing() throws Exception {
    PublishResult r = publisher(iam, () -> false).publish(snapshot(4, "a"));

    assertEquals(ObjectOutcome.DEFERRED, r.jwks());
    assertTrue(r.deferred());
    assertEquals(List.of("GET /v1/" + NAME), iam.lines());
    assertNull(held());
  }

  @Test
  void aConflictIsReadAgainAndRetried() throws Exception {
    iam.failNext("PATCH", 409, 1);

    PublishResult r = publisher(iam, () -> true).publish(snapshot(4, "a"));

    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertEquals(1, r.lostRaces());
    assertEquals(2, iam.count("PATCH "));
    assertEquals(List.of("a"), held());
  }

  @Test
  void anOperationAbortedByAConcurrentChangeIsReadAgainAndRetried() throws Exception {
    iam.abortNextOperation = true;

    PublishResult r = publisher(iam, () -> true).publish(snapshot(4, "a"));

    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertEquals(1, r.lostRaces());
    assertEquals(2, iam.count("PATCH "));
    assertEquals(1, iam.writes.size(), "the aborted operation changed nothing");
  }

  @Test
  void rateLimitsAndUnavailabilityAreRetried() throws Exception {
    iam.failNext("GET", 503, 2);
    iam.failNext("PATCH", 429, 1);
    iam.failNext("PATCH", 503, 1);

    PublishResult r = publisher(iam, () -> true).publish(snapshot(4, "a"));

    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertEquals(0, r.lostRaces(), "a transient answer is not a lost race");
    assertEquals(3, iam.count("PATCH "));
    assertEquals(List.of("a"), held());
  }

  @Test
  void aTargetThatKeepsFailingGivesUpWithTheLastAnswer() {
    iam.failNext("PATCH", 503, 10);

    MirrorException e = assertThrows(MirrorException.class, () -> publisher(iam, () -> true).publish(snapshot(4, "a")));

    assertEquals("gave up updating the uploaded JWKS after 5 attempts: HTTP 503 scripted answer 503", e.getMessage());
    assertEquals(5, iam.count("PATCH "));
    assertNull(held());
  }

  @Test
  void moreThanEightKeysUploadTheCurrentAndNewestRetiredAndSayWhichWereLeftOut() throws Exception {
    Snapshot s = snapshot(6, List.of("c1", "c2"), List.of("r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8"));

    PublishResult r = publisher(iam, () -> true).publish(s);

    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertEquals(List.of("c1", "c2", "r8", "r7", "r6", "r5", "r4", "r3"), held());
    assertEquals(List.of("r2", "r1"), r.leftOut());
    iam.rest().clear();
    PublishResult again = publisher(iam, () -> true).publish(s);
    assertEquals(ObjectOutcome.UNCHANGED, again.jwks());
    assertEquals(List.of("r2", "r1"), again.leftOut(), "still left out, and said so, when nothing is written");
  }

  @Test
  void currentKeysThatCannotFitAreAnErrorAndNothingIsUploaded() {
    Snapshot s = snapshot(6, "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9");

    MirrorException e = assertThrows(MirrorException.class, () -> publisher(iam, () -> true).publish(s));

    assertTrue(e.getMessage().startsWith("9 current keys are served but GCP holds at most 8 in an uploaded JWKS, so [c9] "
        + "could not be uploaded; nothing was uploaded"), e.getMessage());
    assertEquals(List.of(), iam.lines());
  }

  @Test
  void refusalsThatRetryingCannotFixAreOneLineNamingTheCause() {
    iam.failNext("PATCH", 400, 1);
    MirrorException bad = assertThrows(MirrorException.class, () -> publisher(iam, () -> true).publish(snapshot(4, "a")));
    assertTrue(bad.getMessage().startsWith("Google refused the uploaded JWKS (400 scripted answer 400); the keys were [a]"),
        bad.getMessage());

    iam.granted.remove(FakeIam.UPDATE);
    MirrorException denied = assertThrows(MirrorException.class, () -> publisher(iam, () -> true).publish(snapshot(4, "a")));
    assertTrue(denied.getMessage().startsWith("Google denied iam.workloadIdentityPoolProviders.update (403 Permission "
        + "'iam.workloadIdentityPoolProviders.update' denied"), denied.getMessage());

    iam.putProvider(NAME, iam.provider(NAME).put("state", "DELETED"));
    MirrorException deleted = assertThrows(MirrorException.class, () -> publisher(iam, () -> true).publish(snapshot(4, "a")));
    assertEquals("the provider is deleted (kept for 30 days, then purged); restore it: gcloud iam workload-identity-pools "
        + "providers undelete cluster-a --workload-identity-pool=k8s-pool --location=global --project=my-project",
        deleted.getMessage());
    for (MirrorException e : List.of(bad, denied, deleted)) {
      assertEquals(1, e.getMessage().lines().count());
    }
  }

  @Test
  void theStartUpCheckReadsAndAsksForThePermissionsButWritesNothing() {
    JsonObject odd = iam.provider(NAME).put("disabled", true);
    odd.getJsonObject("oidc").put("issuerUri", "https://elsewhere.example.com");
    iam.putProvider(NAME, odd);

    publisher(iam, () -> true).check();

    assertEquals(List.of("GET /v1/" + NAME,
        "POST /v1/projects/my-project/locations/global/workloadIdentityPools/k8s-pool:testIamPermissions"), iam.lines());
    assertEquals(new JsonObject().put("permissions", new io.vertx.core.json.JsonArray()
        .add(GcpWifPublisher.GET).add(GcpWifPublisher.UPDATE)), iam.rest().requests().get(1).json());
    assertTrue(iam.writes.isEmpty());
  }

  @Test
  void credentialsThatGiveNoTokenAreNamedAsSuchNotAsAnUnreachableEndpoint() {
    com.google.auth.oauth2.GoogleCredentials broken = new com.google.auth.oauth2.GoogleCredentials() {
      @Override
      public com.google.auth.oauth2.AccessToken refreshAccessToken() throws java.io.IOException {
        throw new java.io.IOException("the token endpoint said no");
      }
    };
    GcpWifPublisher p = new GcpWifPublisher(GcpWifFixture.LOCATION, GcpWifFixture.iam(iam, broken), ISSUER, () -> true,
        5, java.time.Duration.ZERO, d -> { });

    MirrorException e = assertThrows(MirrorException.class, () -> p.publish(snapshot(4, "a")));

    assertEquals("cannot read the provider: no usable Google credentials (the token endpoint said no): run gcloud auth "
        + "application-default login, or set GOOGLE_APPLICATION_CREDENTIALS", e.getMessage());
    assertEquals(List.of(), iam.lines(), "nothing was sent without a token");
  }

  @Test
  void anUnreachableEndpointIsRetriedThenNamed() throws Exception {
    java.net.URI gone = iam.endpoint();
    iam.close();
    FakeIam closed = iam;
    MirrorException e = assertThrows(MirrorException.class, () -> publisher(closed, () -> true).publish(snapshot(4, "a")));
    assertTrue(e.getMessage().startsWith("cannot reach the IAM API (GET " + gone + " failed: "), e.getMessage());
    assertTrue(e.getMessage().endsWith("; check --gcp-iam-endpoint and the network"), e.getMessage());
    iam = new FakeIam();
  }
}
