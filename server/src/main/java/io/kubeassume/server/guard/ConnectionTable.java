package io.kubeassume.server.guard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The open connections of one event loop and what each owes, pure (no I/O, no clock, one thread).
 * It decides which connection to close; the caller closes it and then reports {@link #closed}.
 *
 * <p>Every connection is always on a deadline:
 * <ul>
 *   <li>before its first complete request: {@code requestTimeout} from the moment it opened, however
 *       slowly its bytes trickle in (a half-sent request is no progress);
 *   <li>between requests: {@code idleTimeout} from the end of its last response;
 *   <li>with responses in flight: {@code writeTimeout} since the last response was written (or the
 *       first one was asked for), so a client that stops reading (a zero TCP or HTTP/2 window)
 *       cannot hold its responses in memory.
 * </ul>
 *
 * <p>At the connection cap a new connection still gets in if there is a connection to give way, in
 * this order: one that has never had a response written (idle, half-sent or stalled since it
 * opened), oldest first; then one that was answered but has made no progress for
 * {@code minIdleToEvict}, least recent first. A client that connects, asks and reads, as cloud IAM
 * does, is never chosen. If every connection is busy being served, the newcomer is the one closed:
 * load beyond the cap from well-behaved clients is refused, it does not make connections evict each
 * other in a loop. Over the in-flight cap, the connection whose responses have waited longest gives way.
 */
public final class ConnectionTable<C> {
  /** Why a connection was closed. */
  public enum Reason {
    REQUEST_TIMEOUT("request-timeout"),
    IDLE_TIMEOUT("idle-timeout"),
    WRITE_TIMEOUT("write-timeout"),
    CONNECTION_LIMIT("connection-limit"),
    IN_FLIGHT_LIMIT("in-flight-limit"),
    /** Closed by the {@link AcceptGate}: too many connections still in their TLS handshake. */
    PENDING_LIMIT("pending-limit");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** A connection to close and why. */
  public record Closing<C>(C connection, Reason reason) {}

  private static final class Entry {
    /** Since when the connection waits for a complete request (nothing in flight), or for a write. */
    long since;
    /** When a response was last written, or when the connection opened. */
    long progress;
    int inFlight;
    boolean servedAny;
    /** Already handed out for closing: counts until {@link #closed}, but is not chosen twice. */
    boolean closing;
  }

  private final int maxConnections;
  private final int maxInFlight;
  private final long requestTimeoutNanos;
  private final long idleTimeoutNanos;
  private final long writeTimeoutNanos;
  private final long minIdleToEvictNanos;
  /** Never answered, in the order they opened. */
  private final LinkedHashMap<C, Entry> unserved = new LinkedHashMap<>();
  /** Answered at least once, least recent progress first (a written response moves one to the end). */
  private final LinkedHashMap<C, Entry> served = new LinkedHashMap<>();
  private int inFlight;
  /** Entries handed out for closing and not yet reported closed: they are already on their way out. */
  private int closing;

  public ConnectionTable(int maxConnections, int maxInFlight, long requestTimeoutNanos, long idleTimeoutNanos,
      long writeTimeoutNanos, long minIdleToEvictNanos) {
    if (maxConnections < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException("caps must be at least 1");
    }
    this.maxConnections = maxConnections;
    this.maxInFlight = maxInFlight;
    this.requestTimeoutNanos = requestTimeoutNanos;
    this.idleTimeoutNanos = idleTimeoutNanos;
    this.writeTimeoutNanos = writeTimeoutNanos;
    this.minIdleToEvictNanos = minIdleToEvictNanos;
  }

  /** A new connection; returns the one to close if this one went over the cap (possibly the new one). */
  public Closing<C> opened(C connection, long now) {
    if (open() - closing >= maxConnections) {
      C victim = unservedOldest(connection);
      if (victim == null) {
        victim = servedIdleLongest(now);
      }
      if (victim == null) {
        // Everyone is being served: refuse the newcomer rather than evict a busy client.
        return new Closing<>(connection, Reason.CONNECTION_LIMIT);
      }
      track(connection, now);
      return closing(victim, Reason.CONNECTION_LIMIT);
    }
    track(connection, now);
    return null;
  }

  /** A complete request arrived; returns a connection to close if in-flight responses went over the cap. */
  public Closing<C> requestStarted(C connection, long now) {
    Entry e = entry(connection);
    if (e == null) {
      return null;
    }
    if (e.inFlight == 0) {
      e.since = now;
    }
    e.inFlight++;
    inFlight++;
    if (inFlight <= maxInFlight) {
      return null;
    }
    C victim = longestStalled(connection);
    return victim == null ? null : closing(victim, Reason.IN_FLIGHT_LIMIT);
  }

  /** A response was written in full: progress. */
  public void responseWritten(C connection, long now) {
    Entry e = unserved.remove(connection);
    if (e == null) {
      e = served.remove(connection);
    }
    if (e == null) {
      return;
    }
    served.put(connection, e);
    if (e.inFlight > 0) {
      e.inFlight--;
      inFlight--;
    }
    e.since = now;
    e.progress = now;
    e.servedAny = true;
  }

  /**
   * A response was given up (the client reset the stream): it no longer costs memory, but nothing was
   * delivered, so the connection keeps its place in the eviction order.
   */
  public void responseFailed(C connection, long now) {
    Entry e = entry(connection);
    if (e == null || e.inFlight == 0) {
      return;
    }
    e.inFlight--;
    inFlight--;
    if (e.inFlight == 0) {
      e.since = now;
    }
  }

  public void closed(C connection) {
    Entry e = unserved.remove(connection);
    if (e == null) {
      e = served.remove(connection);
    }
    if (e != null) {
      inFlight -= e.inFlight;
      if (e.closing) {
        closing--;
      }
    }
  }

  /** The connections past their deadline at {@code now}; each is handed out once. */
  public List<Closing<C>> expired(long now) {
    List<Closing<C>> out = new ArrayList<>();
    expired(unserved, now, out);
    expired(served, now, out);
    return out;
  }

  private void expired(Map<C, Entry> entries, long now, List<Closing<C>> out) {
    for (Map.Entry<C, Entry> m : entries.entrySet()) {
      Entry e = m.getValue();
      if (e.closing) {
        continue;
      }
      Reason reason = null;
      if (e.inFlight > 0) {
        if (now - e.since >= writeTimeoutNanos) {
          reason = Reason.WRITE_TIMEOUT;
        }
      } else if (e.servedAny) {
        if (now - e.since >= idleTimeoutNanos) {
          reason = Reason.IDLE_TIMEOUT;
        }
      } else if (now - e.since >= requestTimeoutNanos) {
        reason = Reason.REQUEST_TIMEOUT;
      }
      if (reason != null) {
        e.closing = true;
        closing++;
        out.add(new Closing<>(m.getKey(), reason));
      }
    }
  }

  /** Connections open (including those handed out for closing and not yet reported closed). */
  public int open() {
    return unserved.size() + served.size();
  }

  public int inFlight() {
    return inFlight;
  }

  private void track(C connection, long now) {
    Entry e = new Entry();
    e.since = now;
    e.progress = now;
    unserved.put(connection, e);
  }

  private Entry entry(C connection) {
    Entry e = unserved.get(connection);
    return e != null ? e : served.get(connection);
  }

  /** The oldest connection never answered, other than {@code spare}. */
  private C unservedOldest(C spare) {
    for (Map.Entry<C, Entry> m : unserved.entrySet()) {
      if (!m.getValue().closing && m.getKey() != spare) {
        return m.getKey();
      }
    }
    return null;
  }

  /** The answered connection with the least recent progress, if that lies at least {@code minIdleToEvict} back. */
  private C servedIdleLongest(long now) {
    for (Map.Entry<C, Entry> m : served.entrySet()) {
      Entry e = m.getValue();
      if (e.closing) {
        continue;
      }
      return now - e.progress >= minIdleToEvictNanos ? m.getKey() : null;
    }
    return null;
  }

  /** The connection (other than {@code spare}) whose responses have waited longest for a write. */
  private C longestStalled(C spare) {
    C worst = null;
    long oldest = Long.MAX_VALUE;
    for (Map<C, Entry> entries : List.of(unserved, served)) {
      for (Map.Entry<C, Entry> m : entries.entrySet()) {
        Entry e = m.getValue();
        if (!e.closing && e.inFlight > 0 && m.getKey() != spare && e.since < oldest) {
          oldest = e.since;
          worst = m.getKey();
        }
      }
    }
    return worst;
  }

  private Closing<C> closing(C connection, Reason reason) {
    entry(connection).closing = true;
    closing++;
    return new Closing<>(connection, reason);
  }
}
