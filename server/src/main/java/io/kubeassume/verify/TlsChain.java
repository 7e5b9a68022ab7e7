package io.kubeassume.verify;

import io.kubeassume.tls.Thumbprint;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A certificate chain exactly as a TLS server presents it (leaf first), and the thumbprint AWS IAM
 * wants for an OIDC provider: the hex SHA-1 of the DER of the top intermediate CA, which is the
 * last certificate the server sends ({@code openssl s_client -showcerts}, last block).
 *
 * <p>Reusable: {@code TlsChain.of(certs).awsThumbprint()} for any presented chain.
 */
public final class TlsChain {
  private final List<X509Certificate> certificates;

  private TlsChain(List<X509Certificate> certificates) {
    this.certificates = certificates;
  }

  /** @param presented the certificates in the order the server sent them, leaf first; not empty */
  public static TlsChain of(List<X509Certificate> presented) {
    if (presented == null || presented.isEmpty()) {
      throw new IllegalArgumentException("a TLS chain has at least the server's certificate");
    }
    return new TlsChain(List.copyOf(presented));
  }

  public List<X509Certificate> certificates() {
    return certificates;
  }

  public X509Certificate leaf() {
    return certificates.get(0);
  }

  /** The last certificate presented: the top intermediate CA (or the leaf, if the server sends only that). */
  public X509Certificate top() {
    return certificates.get(certificates.size() - 1);
  }

  public String leafSubject() {
    return leaf().getSubjectX500Principal().getName();
  }

  public String leafIssuer() {
    return leaf().getIssuerX500Principal().getName();
  }

  public String topSubject() {
    return top().getSubjectX500Principal().getName();
  }

  /** 40 lowercase hex characters, no colons: the value of an AWS OIDC provider's ThumbprintList (as `setup aws` computes it). */
  public String awsThumbprint() {
    return Thumbprint.of(certificates);
  }

  /** Hex SHA-1 of the certificate's DER encoding, lowercase, no colons. */
  public static String sha1Thumbprint(X509Certificate certificate) {
    return Thumbprint.sha1Hex(certificate);
  }
}
