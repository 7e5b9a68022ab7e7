package io.kubeassume.status;

import io.kubeassume.document.IssuerUrl;
import io.kubeassume.verify.Evidence;
import io.kubeassume.verify.TlsObservation;
import io.kubeassume.verify.Verifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the clouds' trust is compared with, taken from what verify fetched.
 *
 * @param issuer        the issuer exactly as given
 * @param jwksUri       the jwks_uri the discovery document names, else the default under the issuer
 * @param publicKeys    the keys of the public JWKS now (raw members), or null if it could not be fetched
 * @param awsThumbprint the thumbprint AWS computes from the jwks_uri host's TLS chain, or null if no chain was seen
 */
public record IssuerFacts(String issuer, String jwksUri, List<Map<String, Object>> publicKeys, String awsThumbprint) {
  public IssuerFacts {
    publicKeys = publicKeys == null ? null : List.copyOf(publicKeys);
  }

  /** The kids of the public JWKS, or null if it could not be fetched. */
  public Set<String> publicKids() {
    if (publicKeys == null) {
      return null;
    }
    Set<String> kids = new TreeSet<>();
    for (Map<String, Object> k : publicKeys) {
      if (k.get("kid") instanceof String kid) {
        kids.add(kid);
      }
    }
    return kids;
  }

  public static IssuerFacts from(IssuerUrl issuer, Verifier.Outcome outcome) {
    Evidence e = outcome.evidence();
    Map<String, Object> discovery = e.discoveryJson();
    String jwksUri = discovery != null && discovery.get("jwks_uri") instanceof String s ? s : issuer.jwksUri();
    List<Map<String, Object>> keys = e.jwksKeys();
    // AWS takes the thumbprint from the host serving the keys; fall back to the discovery host.
    TlsObservation tls = outcome.report().jwksTls() != null ? outcome.report().jwksTls() : outcome.report().discoveryTls();
    String thumbprint = tls == null || tls.chain() == null ? null : tls.chain().awsThumbprint();
    return new IssuerFacts(issuer.value(), jwksUri, keys, thumbprint);
  }
}
