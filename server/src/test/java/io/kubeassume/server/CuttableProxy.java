package io.kubeassume.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP proxy in front of the mock API server for one replica. {@link #cut()} resets every open
 * connection and every new one: the replica is partitioned from the API server as if its node
 * froze or its network went away. It cannot renew or release its Lease, which a clean close
 * always does.
 */
public final class CuttableProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<Socket> open = new ArrayList<>();
  private volatile boolean cut;
  private volatile boolean closed;

  public CuttableProxy(URI target) throws IOException {
    this.target = new InetSocketAddress(target.getHost(), target.getPort());
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "proxy-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The URL a kubeconfig should name instead of the API server's. */
  public String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Drops every connection now and refuses (resets) new ones until {@link #heal()}. */
  public void cut() {
    cut = true;
    closeAll();
  }

  public void heal() {
    cut = false;
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      if (cut) {
        quietly(client);
        continue;
      }
      try {
        Socket upstream = new Socket(target.getAddress(), target.getPort());
        synchronized (open) {
          open.add(client);
          open.add(upstream);
        }
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        quietly(client);
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while (!cut && (n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException ignored) {
        // the other side went away, or the proxy was cut
      } finally {
        quietly(from);
        quietly(to);
      }
    }, "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void closeAll() {
    synchronized (open) {
      for (Socket s : open) {
        quietly(s);
      }
      open.clear();
    }
  }

  private static void quietly(Socket s) {
    try {
      s.setSoLinger(true, 0); // a reset, as a vanished peer's kernel would answer
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    closeAll();
  }
}
