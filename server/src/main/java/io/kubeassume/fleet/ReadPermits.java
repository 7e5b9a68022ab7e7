package io.kubeassume.fleet;

import io.kubeassume.keys.SigningKey;
import io.kubeassume.source.KeySource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Bounds how many of a fleet's sources are read at once, so a leader taking over thousands of
 * issuers, or a burst of Secret changes, sends the API servers a steady trickle rather than a flood.
 * Reads wait in arrival order. Used from the fleet's one event loop.
 */
public final class ReadPermits {
  private final int permits;
  private final ArrayDeque<Promise<Void>> waiting = new ArrayDeque<>();
  private int inUse;
  /** Permits given back but not yet handed on: see {@link #release}. */
  private int returned;
  private boolean handingOn;

  public ReadPermits(int permits) {
    if (permits < 1) {
      throw new IllegalArgumentException("permits must be at least 1");
    }
    this.permits = permits;
  }

  /** {@code source}, each of whose reads first takes a permit and gives it back when done. */
  public KeySource bound(KeySource source) {
    return new KeySource() {
      @Override
      public String name() {
        return source.name();
      }

      @Override
      public Future<List<SigningKey>> fetch() {
        return acquire().compose(v -> {
          Future<List<SigningKey>> read;
          try {
            read = source.fetch();
          } catch (RuntimeException e) {
            read = Future.failedFuture(e);
          }
          return read.andThen(done -> release());
        });
      }

      @Override
      public void onChange(Runnable changed) {
        source.onChange(changed);
      }

      @Override
      public boolean announcesEveryChange() {
        return source.announcesEveryChange();
      }

      @Override
      public void close() {
        source.close();
      }
    };
  }

  private Future<Void> acquire() {
    if (inUse < permits) {
      inUse++;
      return Future.succeededFuture();
    }
    Promise<Void> turn = Promise.promise();
    waiting.add(turn);
    return turn.future();
  }

  /**
   * Hands the permit to the next waiting read, or frees it. A read that completes at once (a Secret
   * already delivered by the watch) gives its permit back from inside this call; handing it on from
   * there would recurse once per waiting read, and thousands of waiting reads overflow the stack
   * (the error is swallowed by the futures, and the permits are lost). So the outermost call hands
   * every returned permit on in a loop.
   */
  private void release() {
    returned++;
    if (handingOn) {
      return;
    }
    handingOn = true;
    try {
      while (returned > 0) {
        returned--;
        Promise<Void> next = waiting.poll();
        if (next != null) {
          next.complete();
        } else {
          inUse--;
        }
      }
    } finally {
      handingOn = false;
    }
  }

  int inUse() {
    return inUse;
  }

  int waiting() {
    return waiting.size();
  }
}
