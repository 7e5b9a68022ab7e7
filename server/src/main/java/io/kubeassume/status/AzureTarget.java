package io.kubeassume.status;

/** Which Azure user-assigned identity status reads: --subscription, --resource-group, --identity. */
public record AzureTarget(String subscription, String resourceGroup, String identity) {
  /** The setup command that adds a federated credential for one service account. */
  String setup(String issuer) {
    return "kubeassume setup azure --issuer-url " + issuer + " --subscription " + subscription + " --resource-group "
        + resourceGroup + " --identity " + identity + " --namespace NS --service-account SA";
  }
}
