package io.kubeassume.source.kubernetes;

/** The one-line explanation of an API server whose issuer differs from --issuer-url. */
final class IssuerMismatch {
  private IssuerMismatch() {}

  /**
   * Tokens carry the API server's issuer, and a cloud checks it against the discovery document
   * kubeassume serves; publishing keys under a different issuer would only make every token fail.
   */
  static String message(String apiServerIssuer, String configuredIssuer) {
    return "the kubernetes API server's issuer is '" + apiServerIssuer + "' but --issuer-url is '" + configuredIssuer
        + "'; make the API server's --service-account-issuer equal kubeassume's --issuer-url (or change --issuer-url)";
  }
}
