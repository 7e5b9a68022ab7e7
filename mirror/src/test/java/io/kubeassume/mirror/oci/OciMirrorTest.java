package io.kubeassume.mirror.oci;

import static io.kubeassume.mirror.Snapshots.key;
import static io.kubeassume.mirror.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oracle.bmc.Region;
import com.oracle.bmc.auth.SimpleAuthenticationDetailsProvider;
import com.oracle.bmc.model.BmcException;
import io.kubeassume.mirror.MirrorException;
import io.kubeassume.mirror.MirrorTarget;
import io.kubeassume.mirror.MirrorTargetContract;
import io.kubeassume.mirror.Precondition;
import io.kubeassume.mirror.PreconditionFailedException;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The target contract for OciTarget: the real OCI SDK (Jersey 3 client, real request signing with a
 * test-generated RSA key) against {@link FakeOciObjectStorage} over a socket.
 */
class OciMirrorTest extends MirrorTargetContract {
  private static final String NAMESPACE = "axaxnpcrorw5";
  private static final String BUCKET = "oidc";
  private static final String TENANCY = "ocid1.tenancy.oc1..aaaatest";
  private static final String USER = "ocid1.user.oc1..aaaatest";
  private static final String FINGERPRINT = "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34";
  private static byte[] privateKeyPem;

  private FakeOciObjectStorage oci;

  @BeforeAll
  static void makeKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(g.generateKeyPair().getPrivate().getEncoded());
    privateKeyPem = ("-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n").getBytes(StandardCharsets.US_ASCII);
  }

  static SimpleAuthenticationDetailsProvider testKey() {
    return SimpleAuthenticationDetailsProvider.builder()
        .tenantId(TENANCY)
        .userId(USER)
        .fingerprint(FINGERPRINT)
        .region(Region.EU_FRANKFURT_1)
        .privateKeySupplier(() -> new ByteArrayInputStream(privateKeyPem))
        .build();
  }

  @BeforeEach
  void startFake() throws Exception {
    oci = new FakeOciObjectStorage();
    oci.createBucket(NAMESPACE, BUCKET);
  }

  @AfterEach
  void stopFake() {
    oci.close();
  }

  @Override
  protected MirrorTarget newTarget() {
    return OciTarget.create(NAMESPACE, BUCKET, null, oci.endpoint(), testKey());
  }

  @Override
  protected RawObject readRaw(String key) {
    FakeOciObjectStorage.StoredObj o = oci.object(NAMESPACE, BUCKET, key);
    return o == null ? null : new RawObject(o.body(), o.contentType(), o.cacheControl(), o.meta().get(MirrorTarget.REVISION_METADATA));
  }

  @Override
  protected void deleteRaw(String key) {
    oci.delete(NAMESPACE, BUCKET, key);
  }

  @Test
  void requestsAreSignedAndTheTokenIsTheEtag() throws Exception {
    MirrorTarget target = target();
    publisher(target).publish(snapshot(1, key("a")));
    assertEquals(oci.object(NAMESPACE, BUCKET, JWKS).etag(), target.read(JWKS).token());
    assertEquals(0, oci.unsigned.get());
    assertTrue(oci.keyIds.contains(TENANCY + "/" + USER + "/" + FINGERPRINT), oci.keyIds.toString());
    assertEquals("oci://" + NAMESPACE + "/" + BUCKET, target.describe());
  }

  @Test
  void theStoreRefusesAStaleCreateWith412() throws Exception {
    MirrorTarget target = target();
    byte[] body = "x".getBytes(StandardCharsets.UTF_8);
    target.write("k", body, "text/plain", CACHE_CONTROL, 1, Precondition.createOnly());
    PreconditionFailedException e = assertThrows(PreconditionFailedException.class,
        () -> target.write("k", body, "text/plain", CACHE_CONTROL, 1, Precondition.createOnly()));
    BmcException cause = assertInstanceOf(BmcException.class, e.getCause());
    assertEquals(412, cause.getStatusCode());
    assertEquals("IfNoneMatchFailed", cause.getServiceCode());
    assertEquals(1, oci.refusedPuts.get());
  }

  @Test
  void aMissingBucketIsAStoreErrorNotALostRaceOrAMissingObject() throws Exception {
    try (OciTarget elsewhere = OciTarget.create(NAMESPACE, "no-such-bucket", null, oci.endpoint(), testKey())) {
      byte[] body = "x".getBytes(StandardCharsets.UTF_8);
      MirrorException w = assertThrows(MirrorException.class,
          () -> elsewhere.write("k", body, "text/plain", CACHE_CONTROL, 1, Precondition.createOnly()));
      assertTrue(w.getMessage().contains("oci://" + NAMESPACE + "/no-such-bucket"), w.getMessage());
      assertThrows(MirrorException.class, () -> elsewhere.read("k"));
    }
  }

  @Test
  void anUnreachableStoreIsAMirrorException() throws Exception {
    URI endpoint = oci.endpoint();
    oci.close();
    try (OciTarget gone = OciTarget.create(NAMESPACE, BUCKET, null, endpoint, testKey())) {
      assertThrows(MirrorException.class, () -> gone.read(JWKS));
      byte[] body = "x".getBytes(StandardCharsets.UTF_8);
      assertThrows(MirrorException.class, () -> gone.write(JWKS, body, "text/plain", CACHE_CONTROL, 1, Precondition.createOnly()));
    }
  }
}
