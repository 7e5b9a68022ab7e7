package io.kubeassume.status;

/** Which GCP workload identity provider status reads: --project, --pool-id, --provider-id. */
public record GcpTarget(String project, String pool, String provider) {
  /** The provider's resource name, {@code projects/P/locations/global/workloadIdentityPools/POOL/providers/PROV}. */
  public String providerName() {
    return "projects/" + project + "/locations/global/workloadIdentityPools/" + pool + "/providers/" + provider;
  }

  /** The setup command that creates or repairs this provider for {@code issuer}. */
  String setup(String issuer) {
    return "kubeassume setup gcp --issuer-url " + issuer + " --project " + project + " --pool-id " + pool
        + " --provider-id " + provider;
  }
}
