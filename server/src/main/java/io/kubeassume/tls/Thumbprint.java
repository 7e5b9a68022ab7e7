package io.kubeassume.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The thumbprint AWS IAM keeps for an OIDC provider: the lower-case hex SHA-1 (40 characters, no colons)
 * of the DER of the top intermediate CA, i.e. the last certificate the server sends
 * ({@code openssl s_client -showcerts}). A self-signed root sent at the end is skipped, because
 * AWS documents the top <em>intermediate</em>; a chain of one certificate yields that certificate.
 */
public final class Thumbprint {
  private Thumbprint() {}

  /** The thumbprint of a chain in the order the server sent it (leaf first). */
  public static String of(List<X509Certificate> chain) {
    return sha1Hex(certificate(chain));
  }

  /** The certificate the thumbprint is taken of: the top intermediate CA, or the leaf if the server sends nothing else. */
  public static X509Certificate certificate(List<X509Certificate> chain) {
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("the server sent no certificate");
    }
    int last = chain.size() - 1;
    while (last > 0 && isSelfSigned(chain.get(last))) {
      last--;
    }
    return chain.get(last);
  }

  public static String sha1Hex(X509Certificate cert) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(cert.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot hash certificate " + cert.getSubjectX500Principal(), e);
    }
  }

  /** Accepts what users paste: colons or spaces between bytes, upper case. */
  public static String normalize(String raw) {
    String hex = raw.replace(":", "").replace(" ", "").toLowerCase(Locale.ROOT);
    if (!hex.matches("[0-9a-f]{40}")) {
      throw new IllegalArgumentException("'" + raw + "' is not a SHA-1 thumbprint (40 hex characters)");
    }
    return hex;
  }

  private static boolean isSelfSigned(X509Certificate cert) {
    if (!cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
      return false;
    }
    try {
      cert.verify(cert.getPublicKey());
      return true;
    } catch (Exception e) {
      return false;
    }
  }
}
