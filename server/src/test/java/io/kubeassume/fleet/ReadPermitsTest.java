package io.kubeassume.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubeassume.keys.SigningKey;
import io.kubeassume.source.KeySource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReadPermitsTest {
  /** The first {@code slow} reads wait for the test to complete them; every later read completes at once. */
  private static final class Source implements KeySource {
    final List<Promise<List<SigningKey>>> pending = new ArrayList<>();
    private final int slow;
    private int calls;

    Source(int slow) {
      this.slow = slow;
    }

    @Override
    public String name() {
      return "test";
    }

    @Override
    public Future<List<SigningKey>> fetch() {
      if (++calls <= slow) {
        Promise<List<SigningKey>> p = Promise.promise();
        pending.add(p);
        return p.future();
      }
      return Future.succeededFuture(List.of());
    }
  }

  @Test
  void atMostThePermitsReadAtOnceAndTheOthersWaitInOrder() {
    ReadPermits permits = new ReadPermits(2);
    Source source = new Source(3);
    KeySource bound = permits.bound(source);
    List<Integer> completed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      bound.fetch().onSuccess(k -> completed.add(n));
    }
    assertEquals(2, source.pending.size(), "two reads run, the third waits");
    assertEquals(1, permits.waiting());
    source.pending.get(1).complete(List.of());
    assertEquals(List.of(1), completed);
    assertEquals(3, source.pending.size(), "the freed permit went to the waiting read");
    source.pending.get(0).complete(List.of());
    source.pending.get(2).complete(List.of());
    assertEquals(0, permits.inUse());
  }

  @Test
  void thousandsOfReadsThatCompleteAtOnceAllRunWhenThePermitsComeBack() {
    // A leader taking over 10,000 secret-sourced issuers: 16 reads in flight, the rest queued, and every
    // queued read completes at once (the Secret is already known). Handing the permits on recursively
    // overflowed the stack after a few thousand reads and lost the permits: the other issuers never synced.
    int reads = 20_000;
    ReadPermits permits = new ReadPermits(16);
    Source source = new Source(16);
    KeySource bound = permits.bound(source);
    AtomicInteger completed = new AtomicInteger();
    for (int i = 0; i < reads; i++) {
      bound.fetch().onComplete(r -> completed.incrementAndGet());
    }
    assertEquals(reads - 16, permits.waiting());
    source.pending.forEach(p -> p.complete(List.of()));
    assertEquals(reads, completed.get());
    assertEquals(0, permits.inUse());
    assertEquals(0, permits.waiting());
    bound.fetch().onComplete(r -> completed.incrementAndGet());
    assertEquals(reads + 1, completed.get(), "a later read still gets a permit");
  }
}
