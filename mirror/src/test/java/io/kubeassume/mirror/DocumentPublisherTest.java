package io.kubeassume.mirror;

import static io.kubeassume.mirror.Snapshots.key;
import static io.kubeassume.mirror.Snapshots.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.document.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Publisher logic against an in-memory target (the S3 behaviour is covered by S3MirrorTest). */
class DocumentPublisherTest {
  /** In-memory store honouring preconditions; can be told to lose the next N races. */
  static final class MemoryTarget implements MirrorTarget {
    final Map<String, StoredObject> objects = new HashMap<>();
    final List<String> writtenKeys = new ArrayList<>();
    int loseNext;
    int counter;

    @Override
    public synchronized StoredObject read(String key) {
      return objects.get(key);
    }

    @Override
    public synchronized void write(String key, byte[] body, String contentType, String cacheControl, long revision, Precondition pre)
        throws PreconditionFailedException {
      if (loseNext > 0) {
        loseNext--;
        objects.put(key, new StoredObject(("foreign" + counter).getBytes(), "t" + (++counter), StoredObject.NO_REVISION));
        throw new PreconditionFailedException("lost");
      }
      StoredObject cur = objects.get(key);
      boolean ok = pre instanceof Precondition.Replace r ? cur != null && cur.token().equals(r.token()) : cur == null;
      if (!ok) {
        throw new PreconditionFailedException("412");
      }
      writtenKeys.add(key);
      objects.put(key, new StoredObject(body, "t" + (++counter), revision));
    }

    @Override
    public String describe() {
      return "memory";
    }
  }

  private final List<Duration> pauses = new ArrayList<>();

  private DocumentPublisher publisher(MirrorTarget t, String prefix) {
    return new DocumentPublisher(t, prefix, Duration.ofMinutes(5), 5, Duration.ofMillis(10), pauses::add);
  }

  @Test
  void writesJwksBeforeDiscoveryUnderThePrefix() throws Exception {
    MemoryTarget t = new MemoryTarget();
    Snapshot s = snapshot(1, key("a"));
    PublishResult r = publisher(t, "/tenants/x/").publish(s);
    assertEquals(List.of("tenants/x/openid/v1/jwks", "tenants/x/.well-known/openid-configuration"), t.writtenKeys);
    assertArrayEquals(s.jwks().bytes(), t.objects.get("tenants/x/openid/v1/jwks").bytes());
    assertTrue(r.wroteAnything());
    assertEquals(0, r.lostRaces());
    assertEquals(List.of(), pauses);
  }

  @Test
  void prefixIsNormalised() {
    MemoryTarget t = new MemoryTarget();
    assertEquals("openid/v1/jwks", publisher(t, "").jwksKey());
    assertEquals(".well-known/openid-configuration", publisher(t, null).discoveryKey());
    assertEquals("a/b/openid/v1/jwks", publisher(t, "a/b").jwksKey());
    assertEquals("a/openid/v1/jwks", publisher(t, "//a//").jwksKey());
    assertEquals("public, max-age=300", publisher(t, "").cacheControl());
  }

  @Test
  void lostRacesAreRetriedWithPauses() throws Exception {
    MemoryTarget t = new MemoryTarget();
    t.loseNext = 3;
    Snapshot s = snapshot(2, key("a"));
    PublishResult r = publisher(t, "p").publish(s);
    assertEquals(3, r.lostRaces());
    assertEquals(ObjectOutcome.WRITTEN, r.jwks());
    assertEquals(ObjectOutcome.WRITTEN, r.discovery());
    assertArrayEquals(s.jwks().bytes(), t.objects.get("p/openid/v1/jwks").bytes());
    assertEquals(3, pauses.size());
    for (int i = 0; i < pauses.size(); i++) {
      long cap = 10L << i;
      assertTrue(pauses.get(i).toMillis() >= 0 && pauses.get(i).toMillis() <= cap, "pause " + i + " = " + pauses.get(i));
    }
  }

  @Test
  void givesUpAfterTheLastAttempt() {
    MemoryTarget t = new MemoryTarget();
    t.loseNext = 100;
    MirrorException e = assertThrows(MirrorException.class, () -> publisher(t, "p").publish(snapshot(2, key("a"))));
    assertInstanceOf(PreconditionFailedException.class, e.getCause());
    assertTrue(e.getMessage().contains("p/openid/v1/jwks"), e.getMessage());
    assertEquals(95, t.loseNext, "exactly five attempts");
    assertEquals(4, pauses.size());
  }

  @Test
  void rejectsBadSettings() {
    MemoryTarget t = new MemoryTarget();
    assertThrows(IllegalArgumentException.class, () -> new DocumentPublisher(t, "", Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class,
        () -> new DocumentPublisher(t, "", Duration.ofSeconds(1), 0, Duration.ZERO, d -> {}));
  }
}
