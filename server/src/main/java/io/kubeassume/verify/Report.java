package io.kubeassume.verify;

import java.util.List;
import java.util.Set;

/**
 * The outcome of verifying an issuer.
 *
 * @param jwksTls the TLS handshake with the jwks_uri host (chain and AWS thumbprint), or null
 */
public record Report(String issuer, Set<Cloud> clouds, List<CheckResult> results, TlsObservation discoveryTls,
    TlsObservation jwksTls) {
  public Report {
    results = List.copyOf(results);
  }

  public long count(Status status) {
    return results.stream().filter(r -> r.status() == status).count();
  }

  /** True if no check failed; warnings are allowed. */
  public boolean passed() {
    return count(Status.FAIL) == 0;
  }
}
