package io.kubeassume.mirror.gcs;

import static io.kubeassume.mirror.Snapshots.key;
import static io.kubeassume.mirror.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.storage.StorageException;
import io.kubeassume.mirror.MirrorException;
import io.kubeassume.mirror.MirrorTarget;
import io.kubeassume.mirror.MirrorTargetContract;
import io.kubeassume.mirror.Precondition;
import io.kubeassume.mirror.PreconditionFailedException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The target contract for GcsTarget: the real google-cloud-storage client against {@link FakeGcsServer} over a socket. */
class GcsMirrorTest extends MirrorTargetContract {
  private static final String BUCKET = "oidc-bucket";

  private FakeGcsServer gcs;

  @BeforeEach
  void startFake() throws Exception {
    gcs = new FakeGcsServer();
    gcs.createBucket(BUCKET);
  }

  @AfterEach
  void stopFake() {
    gcs.close();
  }

  @Override
  protected MirrorTarget newTarget() {
    return GcsTarget.create(BUCKET, gcs.endpoint());
  }

  @Override
  protected RawObject readRaw(String key) {
    FakeGcsServer.StoredBlob b = gcs.object(BUCKET, key);
    return b == null ? null
        : new RawObject(b.body(), b.contentType(), b.cacheControl(), b.metadata().get(MirrorTarget.REVISION_METADATA));
  }

  @Override
  protected void deleteRaw(String key) {
    gcs.delete(BUCKET, key);
  }

  @Test
  void theTokenIsTheGenerationAndPreconditionsGoToTheStore() throws Exception {
    MirrorTarget target = target();
    publisher(target).publish(snapshot(1, key("a")));
    assertEquals(Long.toString(gcs.object(BUCKET, JWKS).generation()), target.read(JWKS).token());

    byte[] body = "x".getBytes(StandardCharsets.UTF_8);
    PreconditionFailedException e = assertThrows(PreconditionFailedException.class,
        () -> target.write(JWKS, body, "text/plain", CACHE_CONTROL, 9, Precondition.createOnly()));
    assertInstanceOf(StorageException.class, e.getCause());
    assertEquals(412, ((StorageException) e.getCause()).getCode());
    assertEquals(1, gcs.refusedUploads.get(), "the fake, not the client, refused the upload");
  }

  @Test
  void aMissingBucketIsAStoreErrorNotALostRace() throws Exception {
    try (GcsTarget elsewhere = GcsTarget.create("no-such-bucket", gcs.endpoint())) {
      byte[] body = "x".getBytes(StandardCharsets.UTF_8);
      MirrorException e = assertThrows(MirrorException.class,
          () -> elsewhere.write("k", body, "text/plain", CACHE_CONTROL, 1, Precondition.createOnly()));
      assertTrue(e.getMessage().contains("gs://no-such-bucket"), e.getMessage());
    }
  }

  @Test
  void anUnreachableStoreIsAMirrorException() throws Exception {
    java.net.URI endpoint = gcs.endpoint();
    gcs.close();
    try (GcsTarget gone = GcsTarget.create(BUCKET, endpoint)) {
      assertThrows(MirrorException.class, () -> gone.read(JWKS));
    }
  }

  @Test
  void generationTokens() {
    assertEquals(0L, GcsTarget.generationFor(Precondition.createOnly()));
    assertEquals(1234L, GcsTarget.generationFor(Precondition.replacing("1234")));
    assertThrows(IllegalArgumentException.class, () -> GcsTarget.generationFor(Precondition.replacing("\"etag\"")));
  }
}
