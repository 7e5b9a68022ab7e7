package io.kubeassume.verify;

/** Turns a fetch into a PASS/FAIL line with the fix for each way fetching can fail. */
final class FetchRules {
  private FetchRules() {}

  static CheckResult check(String name, String what, Fetched f) {
    if (f.ok()) {
      String via = f.redirects().isEmpty() ? "" : " (redirected to " + f.finalUri() + ")";
      return CheckResult.pass(name, "fetched " + what + " from " + f.uri() + via + ", " + f.body().length + " bytes");
    }
    String message = what + " not fetched: " + f.detail();
    return CheckResult.fail(name, message, fix(what, f));
  }

  private static String fix(String what, Fetched f) {
    return switch (f.failure()) {
      case HTTP_STATUS -> switch (f.status()) {
        case 404 -> "serve the " + what + " at " + f.uri() + " (discovery is the issuer with one trailing '/' removed plus "
            + "/.well-known/openid-configuration; if the issuer has a path, route that path to kubeassume too)";
        case 401, 403 -> "make the " + what + " public: no authentication on the Ingress or bucket (for the API server "
            + "itself, bind the ClusterRole system:service-account-issuer-discovery to system:unauthenticated)";
        default -> "make " + f.uri() + " answer 200 with the " + what + " (check the Ingress route and the server's logs)";
      };
      case UNREACHABLE -> "make the host resolvable and reachable from the internet (DNS record, firewall, "
          + "Ingress or load balancer) on the URL's port";
      case NOT_TLS -> "the issuer URL must be https on a port that speaks TLS, and this port serves plain http: point "
          + "the URL at the https port (the Ingress or load balancer, usually 443), or serve TLS on this port "
          + "(kubeassume serve --tls-cert FILE --tls-key FILE)";
      case TIMEOUT -> "answer within 5 s: AWS STS fails token exchanges when the identity provider is slower";
      case TLS -> "make the TLS handshake succeed for a client that trusts only public CAs: a valid certificate from a "
          + "public CA that names the host, served with its intermediates (the tls.chain check names the cause and "
          + "its fix; inspect with openssl s_client -connect HOST:443 -servername HOST -showcerts)";
      case TOO_LARGE -> "serve the " + what + " itself: it should be a few kilobytes; a huge answer is usually "
          + "an error page or the wrong URL (or far too many keys: keep at most 100 per type)";
      case REDIRECT_LOOP, TOO_MANY_REDIRECTS -> "serve the " + what + " directly at " + f.uri()
          + ": fix the Ingress or load balancer redirect rules";
      case INSECURE_REDIRECT -> "never redirect to http: serve the " + what + " over https at " + f.uri();
      case NOT_ATTEMPTED -> "publish the " + what + " on an https URL";
      case NONE -> null;
    };
  }
}
