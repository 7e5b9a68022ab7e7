package io.kubeassume.verify;

import java.net.Socket;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Validates server chains like cloud IAM does (JDK public roots, host name checked), optionally
 * also against extra CAs from {@code --ca-file}, and records each host's presented chain and
 * verdict, so the report can show the chain even when it is refused.
 */
final class RecordingTrustManager extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager publicRoots;
  private final X509ExtendedTrustManager extraCas;
  private final Map<String, TlsObservation> observed = new ConcurrentHashMap<>();

  /** @param extraCaStore CAs trusted in addition to the public roots, or null */
  RecordingTrustManager(KeyStore extraCaStore) throws NoSuchAlgorithmException, KeyStoreException {
    this.publicRoots = trustManager(null);
    this.extraCas = extraCaStore == null ? null : trustManager(extraCaStore);
  }

  private static X509ExtendedTrustManager trustManager(KeyStore store) throws NoSuchAlgorithmException, KeyStoreException {
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new KeyStoreException("the JDK offers no X509ExtendedTrustManager");
  }

  /** The observation for host:port, if a handshake with it happened. */
  Optional<TlsObservation> observation(String host, int port) {
    return Optional.ofNullable(observed.get(host + ":" + port));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    String host = engine.getPeerHost();
    int port = engine.getPeerPort();
    TlsChain presented = chain == null || chain.length == 0 ? null : TlsChain.of(Arrays.asList(chain));
    try {
      publicRoots.checkServerTrusted(chain, authType, engine);
      record(new TlsObservation(host, port, presented, TlsObservation.Trust.PUBLIC, null));
      return;
    } catch (CertificateException publicFailure) {
      TlsFailure publicView = TlsFailure.of(publicFailure, chain, host, Instant.now());
      if (extraCas == null) {
        throw refused(host, port, presented, publicView, publicView.description(), publicFailure);
      }
      try {
        extraCas.checkServerTrusted(chain, authType, engine);
        record(new TlsObservation(host, port, presented, TlsObservation.Trust.EXTRA_CA, null));
        return;
      } catch (CertificateException extraFailure) {
        // Refused with --ca-file too: its reason is the real one (the chain is known, so the JDK gets past the CA);
        // what a client with only public roots sees, as cloud IAM, is said as well.
        TlsFailure real = TlsFailure.of(extraFailure, chain, host, Instant.now());
        String both = real.description() + " (also with --ca-file)"
            + (real.description().equals(publicView.description()) ? ""
                : "; a client with only the public CAs, as cloud IAM, sees: " + publicView.description());
        throw refused(host, port, presented, real, both, extraFailure);
      }
    }
  }

  /** Records the refusal and returns the exception that fails the handshake, with the same words. */
  private CertificateException refused(String host, int port, TlsChain presented, TlsFailure failure, String message,
      CertificateException cause) {
    record(new TlsObservation(host, port, presented, TlsObservation.Trust.UNTRUSTED, message, failure.problem()));
    return new CertificateException(message, cause);
  }

  private void record(TlsObservation o) {
    observed.put(o.hostPort(), o);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    // The JDK HttpClient uses SSLEngine; sockets get the same validation, without host-based recording.
    publicRoots.checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    publicRoots.checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("verify is a client only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw new CertificateException("verify is a client only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("verify is a client only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return publicRoots.getAcceptedIssuers();
  }
}
