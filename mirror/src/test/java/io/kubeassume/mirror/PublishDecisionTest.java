package io.kubeassume.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PublishDecisionTest {
  private static final byte[] OURS = "{\"keys\":[1]}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] OTHER = "{\"keys\":[2]}".getBytes(StandardCharsets.UTF_8);

  private static StoredObject stored(byte[] body, long revision) {
    return new StoredObject(body, "\"etag-1\"", revision);
  }

  @Test
  void nothingStoredIsCreatedOnlyIfStillAbsent() {
    PublishDecision d = PublishDecision.decide(null, OURS, 3);
    assertEquals(new PublishDecision.Create(), d);
    assertEquals(Precondition.createOnly(), d.precondition());
  }

  @Test
  void identicalBytesAreUnchangedWhateverTheRevisions() {
    assertEquals(new PublishDecision.Unchanged(), PublishDecision.decide(stored(OURS, 3), OURS, 3));
    assertEquals(new PublishDecision.Unchanged(), PublishDecision.decide(stored(OURS, 9), OURS, 3));
    assertEquals(new PublishDecision.Unchanged(), PublishDecision.decide(stored(OURS, 1), OURS, 3));
    assertEquals(new PublishDecision.Unchanged(), PublishDecision.decide(stored(OURS, StoredObject.NO_REVISION), OURS, 3));
    assertNull(new PublishDecision.Unchanged().precondition());
  }

  @Test
  void newerStoredRevisionSupersedesUs() {
    PublishDecision d = PublishDecision.decide(stored(OTHER, 4), OURS, 3);
    assertEquals(new PublishDecision.Superseded(4), d);
    assertNull(d.precondition());
  }

  @Test
  void olderStoredRevisionIsReplacedExactly() {
    PublishDecision d = PublishDecision.decide(stored(OTHER, 2), OURS, 3);
    assertEquals(new PublishDecision.Replace("\"etag-1\""), d);
    assertEquals(Precondition.replacing("\"etag-1\""), d.precondition());
  }

  @Test
  void sameRevisionDifferentBytesIsReplaced() {
    assertEquals(new PublishDecision.Replace("\"etag-1\""), PublishDecision.decide(stored(OTHER, 3), OURS, 3));
  }

  @Test
  void objectWithoutRevisionMetadataIsReplaced() {
    assertEquals(new PublishDecision.Replace("\"etag-1\""),
        PublishDecision.decide(stored(OTHER, StoredObject.NO_REVISION), OURS, 0));
  }

  @Test
  void emptyStoredObjectIsReplacedNotCreated() {
    assertEquals(new PublishDecision.Replace("\"etag-1\""), PublishDecision.decide(stored(new byte[0], 0), OURS, 0));
  }

  @Test
  void bodyIsRequired() {
    assertThrows(NullPointerException.class, () -> PublishDecision.decide(null, null, 1));
  }

  @Test
  void storedObjectCopiesItsBytes() {
    byte[] b = OURS.clone();
    StoredObject s = stored(b, 1);
    b[0] = 'x';
    assertEquals(PublishDecision.decide(s, OURS, 1), new PublishDecision.Unchanged());
  }
}
