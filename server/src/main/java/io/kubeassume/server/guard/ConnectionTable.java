package io.kubeassume.server.guard;

import java.util.ArrayList;
import java.util.Iterator;
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
 * <p>When a cap is reached the connection that made progress longest ago is closed to make room: a
 * new connection, or a request beyond the in-flight cap, always gets in. Progress is a response
 * written (or the connection opening), so a client that connects, asks and reads is never the one
 * closed; idle, half-sent and stalled connections are.
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
    /** Since when the connection waits for a complete request (nothing in flight), or waits for a write. */
    long since;
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
  /** Least recent progress first: a connection moves to the end when it opens or a response is written. */
  private final LinkedHashMap<C, Entry> byProgress = new LinkedHashMap<>();
  private int inFlight;

  public ConnectionTable(int maxConnections, int maxInFlight, long requestTimeoutNanos, long idleTimeoutNanos,
      long writeTimeoutNanos) {
    if (maxConnections < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException("caps must be at least 1");
    }
    this.maxConnections = maxConnections;
    this.maxInFlight = maxInFlight;
    this.requestTimeoutNanos = requestTimeoutNanos;
    this.idleTimeoutNanos = idleTimeoutNanos;
    this.writeTimeoutNanos = writeTimeoutNanos;
  }

  /** A new connection; returns the one to close if this one went over the cap (never the new one). */
  public Closing<C> opened(C connection, long now) {
    Entry e = new Entry();
    e.since = now;
    byProgress.put(connection, e);
    if (open() <= maxConnections) {
      return null;
    }
    C victim = leastRecentProgress(false, connection);
    return victim == null ? null : closing(victim, Reason.CONNECTION_LIMIT);
  }

  /** A complete request arrived; returns a connection to close if in-flight responses went over the cap. */
  public Closing<C> requestStarted(C connection, long now) {
    Entry e = byProgress.get(connection);
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
    C victim = leastRecentProgress(true, connection);
    return victim == null ? null : closing(victim, Reason.IN_FLIGHT_LIMIT);
  }

  /** A response was written in full: progress. */
  public void responseWritten(C connection, long now) {
    Entry e = byProgress.remove(connection);
    if (e == null) {
      return;
    }
    byProgress.put(connection, e);
    if (e.inFlight > 0) {
      e.inFlight--;
      inFlight--;
    }
    e.since = now;
    e.servedAny = true;
  }

  /**
   * A response was given up (the client reset the stream): it no longer costs memory, but nothing was
   * delivered, so the connection keeps its place in the eviction order.
   */
  public void responseFailed(C connection, long now) {
    Entry e = byProgress.get(connection);
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
    Entry e = byProgress.remove(connection);
    if (e != null) {
      inFlight -= e.inFlight;
    }
  }

  /** The connections past their deadline at {@code now}; each is handed out once. */
  public List<Closing<C>> expired(long now) {
    List<Closing<C>> out = new ArrayList<>();
    for (Map.Entry<C, Entry> m : byProgress.entrySet()) {
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
        out.add(new Closing<>(m.getKey(), reason));
      }
    }
    return out;
  }

  /** Connections open (including those handed out for closing and not yet reported closed). */
  public int open() {
    return byProgress.size();
  }

  public int inFlight() {
    return inFlight;
  }

  /**
   * The connection (other than {@code spare}) that made progress longest ago, optionally only among
   * those with responses in flight; null if there is none.
   */
  private C leastRecentProgress(boolean withInFlight, C spare) {
    Iterator<Map.Entry<C, Entry>> it = byProgress.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<C, Entry> m = it.next();
      Entry e = m.getValue();
      if (!e.closing && m.getKey() != spare && (!withInFlight || e.inFlight > 0)) {
        return m.getKey();
      }
    }
    return null;
  }

  private Closing<C> closing(C connection, Reason reason) {
    byProgress.get(connection).closing = true;
    return new Closing<>(connection, reason);
  }
}
