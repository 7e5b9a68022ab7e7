package io.kubeassume.setup.aws;

import io.kubeassume.setup.SetupException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Reads the certificate chain a TLS server sends. The handshake validates the chain against the
 * given trust (the JDK's public roots by default): AWS trusts public CAs, so a chain that does not
 * validate here would not work there either.
 */
public final class TlsChainFetcher {
  private static final int TIMEOUT_MILLIS = 10_000;
  private final SSLSocketFactory sockets;

  public TlsChainFetcher(SSLSocketFactory sockets) {
    this.sockets = sockets;
  }

  public static TlsChainFetcher withSystemTrust() {
    return new TlsChainFetcher((SSLSocketFactory) SSLSocketFactory.getDefault());
  }

  public List<X509Certificate> fetch(String host, int port) throws SetupException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      try (SSLSocket tls = (SSLSocket) sockets.createSocket(socket, host, port, false)) {
        SSLParameters params = tls.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(params);
        tls.startHandshake();
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : tls.getSession().getPeerCertificates()) {
          chain.add((X509Certificate) c);
        }
        return chain;
      }
    } catch (IOException e) {
      throw new SetupException("cannot read the TLS certificate chain of " + host + ":" + port + " (" + e.getMessage()
          + "); make the issuer reachable over public TLS first, or pass --thumbprint");
    }
  }
}
