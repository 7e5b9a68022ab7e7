package io.kubeassume.server.guard;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TcpConfig;
import io.vertx.core.transport.Transport;
import java.util.concurrent.ThreadFactory;

/**
 * The Vert.x transport (native epoll where available, else NIO) with an {@link AcceptGate} on every
 * listening socket. Vert.x's transport SPI is the one place where its server bootstrap can be given a
 * handler on the listening channel; everything else is the underlying transport's.
 */
public final class GatedTransport implements Transport {
  private final Transport base;
  private final io.vertx.core.spi.transport.Transport implementation;

  public GatedTransport(Transport base, AcceptGate gate) {
    this.base = base;
    this.implementation = new Gated(base.implementation(), gate);
  }

  /** The native transport if it can run here, else NIO, gated. */
  public static GatedTransport preferNative(AcceptGate gate) {
    Transport nativeTransport = Transport.nativeTransport();
    return new GatedTransport(nativeTransport != null && nativeTransport.available() ? nativeTransport : Transport.NIO, gate);
  }

  @Override
  public String name() {
    return base.name();
  }

  @Override
  public boolean available() {
    return base.available();
  }

  @Override
  public Throwable unavailabilityCause() {
    return base.unavailabilityCause();
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return implementation;
  }

  private record Gated(io.vertx.core.spi.transport.Transport delegate, AcceptGate gate)
      implements io.vertx.core.spi.transport.Transport {
    @Override
    public void configure(TcpConfig config, boolean domainSocket, ServerBootstrap bootstrap) {
      delegate.configure(config, domainSocket, bootstrap);
      // Vert.x sets no handler of its own on the listening channel; the gate sees each accepted connection first.
      bootstrap.handler(gate);
    }

    @Override
    public void configure(TcpConfig config, boolean domainSocket, Bootstrap bootstrap) {
      delegate.configure(config, domainSocket, bootstrap);
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
      delegate.configure(channel, options);
    }

    @Override
    public boolean supportsDomainSockets() {
      return delegate.supportsDomainSockets();
    }

    @Override
    public boolean supportFileRegion() {
      return delegate.supportFileRegion();
    }

    @Override
    public boolean isAvailable() {
      return delegate.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
      return delegate.unavailabilityCause();
    }

    @Override
    public java.net.SocketAddress convert(SocketAddress address) {
      return delegate.convert(address);
    }

    @Override
    public SocketAddress convert(java.net.SocketAddress address) {
      return delegate.convert(address);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return delegate.ioHandlerFactory();
    }

    @Override
    public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory factory, int ioRatio) {
      return delegate.eventLoopGroup(type, threads, factory, ioRatio);
    }

    @Override
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
      return delegate.datagramChannel(family);
    }

    @Override
    public ChannelFactory<? extends DatagramChannel> datagramChannelFactory() {
      return delegate.datagramChannelFactory();
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
      return delegate.channelFactory(domainSocket);
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
      return delegate.serverChannelFactory(domainSocket);
    }
  }
}
