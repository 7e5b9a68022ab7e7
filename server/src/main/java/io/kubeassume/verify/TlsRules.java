package io.kubeassume.verify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rules about the TLS chains the issuer's hosts present, and the AWS thumbprint of the jwks_uri host. */
final class TlsRules {
  private TlsRules() {}

  static List<CheckResult> check(Evidence e) {
    Map<String, TlsObservation> hosts = new LinkedHashMap<>();
    if (e.discoveryTls() != null) {
      hosts.put(e.discoveryTls().hostPort(), e.discoveryTls());
    }
    if (e.jwksTls() != null) {
      hosts.putIfAbsent(e.jwksTls().hostPort(), e.jwksTls());
    }
    List<CheckResult> out = new ArrayList<>();
    for (TlsObservation o : hosts.values()) {
      out.add(chain(o));
    }
    if (e.clouds().contains(Cloud.AWS) && e.jwksTls() != null) {
      CheckResult thumbprint = awsThumbprint(e.jwksTls());
      if (thumbprint != null) {
        out.add(thumbprint.forCloud(Cloud.AWS));
      }
    }
    return out;
  }

  static CheckResult chain(TlsObservation o) {
    String presented = o.chain() == null ? "no certificate"
        : "leaf \"" + o.chain().leafSubject() + "\" issued by \"" + o.chain().leafIssuer() + "\", "
            + o.chain().certificates().size() + " certificate(s) presented";
    return switch (o.trust()) {
      case PUBLIC -> CheckResult.pass("tls.chain", o.hostPort() + ": valid to a public root; " + presented);
      case EXTRA_CA -> CheckResult.warn("tls.chain", o.hostPort() + ": valid only to a CA from --ca-file, not to a public root; "
          + presented, "cloud IAM trusts public CAs: use a certificate from a public CA (GCP refuses private and "
          + "self-signed chains; AWS falls back to the thumbprint)");
      case UNTRUSTED -> CheckResult.fail("tls.chain", o.hostPort() + ": " + o.error() + "; " + presented,
          fix(o) + " (check with openssl s_client -connect " + o.hostPort() + " -servername " + o.host() + " -showcerts)");
    };
  }

  private static String fix(TlsObservation o) {
    TlsFailure.Problem problem = o.problem() == null ? TlsFailure.Problem.OTHER : o.problem();
    return switch (problem) {
      case EXPIRED -> "renew the certificate and serve the new one with its intermediates (with cert-manager, check "
          + "why its Certificate was not renewed: kubectl describe certificate)";
      case NOT_YET_VALID -> "check the clocks of this machine and of the CA: the certificate's validity starts later";
      case NAME_MISMATCH -> "serve a certificate whose subject alternative names include " + o.host()
          + ", the host of the issuer URL";
      case UNKNOWN_CA, OTHER -> "install a certificate from a public CA that names the host and serve it with its "
          + "intermediates";
    };
  }

  /** The thumbprint AWS computes for the jwks_uri host, for information; null if there is no usable chain. */
  static CheckResult awsThumbprint(TlsObservation jwksHost) {
    if (jwksHost.chain() == null || jwksHost.trust() == TlsObservation.Trust.UNTRUSTED) {
      return null;
    }
    return CheckResult.pass("tls.aws-thumbprint", jwksHost.hostPort() + ": " + jwksHost.chain().topDescription()
        + ", SHA-1 thumbprint " + jwksHost.chain().awsThumbprint());
  }
}
