package io.kubeassume.verify;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** Rules about the issuer URL itself. */
final class IssuerRules {
  static final String SAME_EVERYWHERE = "make --issuer-url, the API server's --service-account-issuer and the cloud's "
      + "provider URL identical byte for byte (scheme, host, port, path, trailing slash)";

  private IssuerRules() {}

  static List<CheckResult> check(Evidence e) {
    List<CheckResult> out = new ArrayList<>();
    out.add(https(e));
    if (e.clouds().contains(Cloud.AWS)) {
      out.add(noPort(e).forCloud(Cloud.AWS));
    }
    return out;
  }

  static CheckResult https(Evidence e) {
    if ("https".equals(URI.create(e.issuer()).getScheme())) {
      return CheckResult.pass("issuer.https", "the issuer uses https");
    }
    return CheckResult.fail("issuer.https", e.issuer() + " uses http: cloud IAM only fetches https issuers "
        + "(verify allows http on localhost so the other checks can run in local tests)",
        "serve the issuer over https with a certificate from a public CA (e.g. an Ingress with cert-manager) and "
            + "set the API server's --service-account-issuer and kubeassume's --issuer-url to the https URL");
  }

  static CheckResult noPort(Evidence e) {
    int port = URI.create(e.issuer()).getPort();
    if (port == -1) {
      return CheckResult.pass("issuer.port", "the issuer URL names no port");
    }
    return CheckResult.fail("issuer.port", "the issuer URL names port " + port + "; AWS IAM refuses provider URLs with a port",
        "serve the issuer on the default https port (443) and drop the port from --service-account-issuer and --issuer-url");
  }
}
