package io.kubeassume.packaging;

/** Value sets the tests render with. */
final class Values {
  private Values() {
  }

  /** Every optional feature at once, to catch env variables that no server flag reads. */
  static final String ALL_FEATURES = """
      source: files
      keys:
        secretName: cluster-sa-keys
      store: file
      replicaCount: 1
      mirror:
        targets: [s3://bucket/oidc, gs://bucket/oidc]
        endpoint: https://minio.example.com
        region: eu-west-1
        aws:
          roleArn: arn:aws:iam::123456789012:role/kubeassume
          projectToken: true
        gcp:
          credentialConfigMap: gcp-wif
          audience: //iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/k
        azure:
          clientId: 00000000-0000-0000-0000-000000000001
      serverTls:
        enabled: true
        certManager:
          issuer: letsencrypt-prod
      ingress:
        enabled: true
      serviceMonitor:
        enabled: true
      prometheusRule:
        enabled: true
      grafanaDashboard:
        enabled: true
      """;
}
