package io.kubeassume.server.guard;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.http.HttpConnection;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds, at the listening socket, what the HTTP-level {@link ConnectionGuard} cannot see:
 *
 * <ul>
 *   <li><b>Connections not yet claimed</b> by a guard: a TLS client that opens a connection and never
 *       finishes its handshake costs about 4 KiB for up to the request timeout, and during a flood of
 *       new connections the event loops take a while to pick each one up. At most a fixed number per
 *       port wait so; the oldest is closed to admit a new one.
 *   <li><b>Every connection the process holds</b> on the port, at most the guard's cap plus those
 *       unclaimed ones: past it the gate stops accepting until connections close. New connections
 *       then wait in the kernel's accept backlog, which costs the process nothing; the event loops
 *       catch up with their closes instead of queueing ever more work.
 * </ul>
 *
 * <p>Ports are registered once bound; connections on other ports pass untouched. Vert.x offers no
 * public hook on its listening channel; {@link GatedTransport} installs the gate there.
 */
@ChannelHandler.Sharable
public final class AcceptGate extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(AcceptGate.class);
  private final Map<Integer, Port> ports = new ConcurrentHashMap<>();

  private static final class Port {
    final int number;
    final Unclaimed<String, Channel> unclaimed;
    final int maxOpen;
    final AtomicInteger open = new AtomicInteger();
    final GuardMetrics metrics;
    volatile boolean loggedPause;

    Port(int number, int maxUnclaimed, int maxOpen, GuardMetrics metrics) {
      this.number = number;
      this.unclaimed = new Unclaimed<>(maxUnclaimed);
      this.maxOpen = maxOpen;
      this.metrics = metrics;
    }
  }

  /**
   * @param limits the port's limits: {@link ConnectionLimits#maxPending} unclaimed connections at once,
   *     and at most {@code maxConnections + maxPending} connections in all
   * @param metrics counts what the gate closes and how often it stops accepting
   */
  public void register(int port, ConnectionLimits limits, GuardMetrics metrics) {
    ports.put(port, new Port(port, limits.maxPending(), limits.maxConnections() + limits.maxPending(), metrics));
  }

  /** The HTTP guard now holds this connection. */
  public void claim(HttpConnection connection) {
    Port port = ports.get(connection.localAddress().port());
    if (port != null) {
      String key = key(connection.remoteAddress().hostAddress(), connection.remoteAddress().port());
      synchronized (port) {
        port.unclaimed.claim(key);
      }
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Channel child && ctx.channel().localAddress() instanceof InetSocketAddress local
        && child.remoteAddress() instanceof InetSocketAddress remote) {
      Port port = ports.get(local.getPort());
      if (port != null) {
        admit(port, ctx.channel(), child, key(remote.getAddress().getHostAddress(), remote.getPort()));
      }
    }
    ctx.fireChannelRead(msg);
  }

  private void admit(Port port, Channel listener, Channel child, String key) {
    Channel oldest;
    synchronized (port) {
      oldest = port.unclaimed.add(key, child);
    }
    int open = port.open.incrementAndGet();
    child.closeFuture().addListener(f -> {
      synchronized (port) {
        port.unclaimed.remove(key, child);
      }
      if (port.open.decrementAndGet() < port.maxOpen) {
        listener.config().setAutoRead(true);
      }
    });
    if (open >= port.maxOpen) {
      listener.config().setAutoRead(false);
      port.metrics.acceptPaused();
      if (!port.loggedPause) {
        port.loggedPause = true;
        log.warn("port {}: {} connections open, the most this process holds; not accepting more until some close "
            + "(they wait in the kernel's backlog; counted in kubeassume_http_accept_paused_total)", port.number, port.maxOpen);
      }
      // A close between the increment and the pause would have found accepting still on: check again.
      if (port.open.get() < port.maxOpen) {
        listener.config().setAutoRead(true);
      }
    }
    if (oldest != null) {
      oldest.close();
      port.metrics.pendingEvicted(1);
    }
  }

  private static String key(String host, int port) {
    return host + "|" + port;
  }
}
