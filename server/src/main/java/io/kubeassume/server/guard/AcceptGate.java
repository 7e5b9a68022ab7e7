package io.kubeassume.server.guard;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.http.HttpConnection;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;

/**
 * Bounds what a server holds for connections it has accepted but cannot see as HTTP yet: a TLS client
 * that opens a connection and never finishes its handshake costs about 4 KiB for up to the request
 * timeout, and the HTTP-level {@link ConnectionGuard} only sees a connection after its handshake. The
 * gate sits on the listening socket (before Vert.x hands the connection on) and keeps at most a
 * fixed number of such connections per port, closing the oldest to admit a new one; a connection
 * leaves the gate when the HTTP guard claims it, or when it closes.
 *
 * <p>Ports are registered once bound; connections on other ports pass untouched.
 */
@ChannelHandler.Sharable
public final class AcceptGate extends ChannelInboundHandlerAdapter {
  private final Map<Integer, Port> ports = new ConcurrentHashMap<>();

  private static final class Port {
    final Unclaimed<String, Channel> unclaimed;
    final IntConsumer evicted;

    Port(int max, IntConsumer evicted) {
      this.unclaimed = new Unclaimed<>(max);
      this.evicted = evicted;
    }
  }

  /**
   * @param maxUnclaimed connections on {@code port} that may be waiting for their handshake at once
   * @param evicted told (with the number evicted) when the gate closes connections to make room
   */
  public void register(int port, int maxUnclaimed, IntConsumer evicted) {
    ports.put(port, new Port(maxUnclaimed, evicted));
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
        admit(port, child, key(remote.getAddress().getHostAddress(), remote.getPort()));
      }
    }
    ctx.fireChannelRead(msg);
  }

  private static void admit(Port port, Channel child, String key) {
    Channel oldest;
    synchronized (port) {
      oldest = port.unclaimed.add(key, child);
    }
    child.closeFuture().addListener(f -> {
      synchronized (port) {
        port.unclaimed.remove(key, child);
      }
    });
    if (oldest != null) {
      oldest.close();
      port.evicted.accept(1);
    }
  }

  private static String key(String host, int port) {
    return host + "|" + port;
  }
}
