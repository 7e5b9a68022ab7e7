package io.kubeassume.verify;

import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Why a chain was refused, in the words an operator acts on: expired, not yet valid, issued for another
 * host name, or issued by a CA the client does not trust. The JDK reports most of these as "PKIX path
 * building failed" or "validity check failed" deep in a cause chain.
 *
 * @param problem what kind of failure, which decides the fix
 * @param description the failure with the certificate and host it concerns
 */
public record TlsFailure(Problem problem, String description) {
  public enum Problem { EXPIRED, NOT_YET_VALID, NAME_MISMATCH, UNKNOWN_CA, OTHER }

  /** Classifies {@code failure}, a trust manager's refusal of {@code chain} for {@code host}. */
  static TlsFailure of(Exception failure, X509Certificate[] chain, String host, Instant now) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof CertificateExpiredException) {
        X509Certificate expired = find(chain, c -> c.getNotAfter().toInstant().isBefore(now));
        return new TlsFailure(Problem.EXPIRED, expired == null ? "a certificate of the chain has expired"
            : "certificate \"" + subject(expired) + "\" expired on " + expired.getNotAfter().toInstant());
      }
      if (t instanceof CertificateNotYetValidException) {
        X509Certificate early = find(chain, c -> c.getNotBefore().toInstant().isAfter(now));
        return new TlsFailure(Problem.NOT_YET_VALID, early == null ? "a certificate of the chain is not valid yet"
            : "certificate \"" + subject(early) + "\" is not valid before " + early.getNotBefore().toInstant());
      }
      String message = String.valueOf(t.getMessage());
      if (message.startsWith("No subject alternative") || message.startsWith("No name matching")) {
        return new TlsFailure(Problem.NAME_MISMATCH, "certificate \"" + (chain.length == 0 ? "?" : subject(chain[0]))
            + "\" is for " + names(chain) + ", not for " + host);
      }
      if (message.contains("unable to find valid certification path") || t.getClass().getSimpleName()
          .equals("SunCertPathBuilderException")) {
        return new TlsFailure(Problem.UNKNOWN_CA, "issued by \"" + (chain.length == 0 ? "?"
            : chain[chain.length - 1].getIssuerX500Principal().getName()) + "\", a CA the client does not trust (unknown CA)");
      }
    }
    return new TlsFailure(Problem.OTHER, String.valueOf(failure.getMessage()));
  }

  private interface Test {
    boolean holds(X509Certificate c);
  }

  private static X509Certificate find(X509Certificate[] chain, Test test) {
    for (X509Certificate c : chain) {
      if (test.holds(c)) {
        return c;
      }
    }
    return null;
  }

  private static String subject(X509Certificate c) {
    return c.getSubjectX500Principal().getName();
  }

  /** The leaf's subject alternative names, e.g. {@code other.example.com, 10.0.0.1}. */
  private static String names(X509Certificate[] chain) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = chain.length == 0 ? null : chain[0].getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          names.add(String.valueOf(san.get(1)));
        }
      }
    } catch (CertificateParsingException e) {
      // no names to show
    }
    return names.isEmpty() ? "no host name" : String.join(", ", names);
  }
}
