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

  /**
   * The certificate AWS takes the thumbprint of: the top intermediate CA the server sends (a self-signed root sent
   * after it does not count), or the leaf itself when the server sends no intermediate.
   */
  public X509Certificate top() {
    return Thumbprint.certificate(certificates);
  }

  /** True when the server sends no intermediate CA, so the thumbprint is the leaf's. */
  public boolean topIsLeaf() {
    return top() == leaf();
  }

  /** What the thumbprint is of, in words: {@code top intermediate CA "CN=R3"} or the leaf, saying that no CA was sent. */
  public String topDescription() {
    return topIsLeaf() ? "the leaf certificate \"" + leafSubject() + "\" (the server sends no intermediate CA)"
        : "top intermediate CA \"" + topSubject() + "\"";
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
