package io.kubeassume.source.kubernetes;

/** One-line explanations of a failed GET on the API server, with the fix where it is known. */
final class HttpFailures {
  private HttpFailures() {}

  static String message(String apiServer, String path, int status) {
    String base = "kubernetes API server " + apiServer + path + " answered HTTP " + status;
    if (status == 401 || status == 403) {
      // The documents are not public by default; the service account needs a non-resource rule.
      return base + ": kubeassume's service account needs get on nonResourceURLs "
          + KubernetesKeySource.DISCOVERY_PATH + " and " + KubernetesKeySource.JWKS_PATH
          + " (e.g. bind the ClusterRole system:service-account-issuer-discovery)";
    }
    if (status == 404) {
      return base + ": the API server does not serve service-account issuer discovery (Kubernetes 1.21+ does)";
    }
    return base;
  }
}
