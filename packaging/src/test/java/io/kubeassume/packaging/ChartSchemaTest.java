package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** values.schema.json makes a wrong value fail at install time, naming the value. */
class ChartSchemaTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      replicas as a word              | replicaCount: two                                   | replicaCount
      zero replicas                   | replicaCount: 0                                     | replicaCount
      unknown source                  | source: vault                                       | source
      unknown store                   | store: etcd                                         | store
      misspelt top-level key          | replicas: 3                                         | replicas
      misspelt nested key             | ingress: {enabld: true}                             | enabld
      duration without unit           | overlap: '24'                                       | overlap
      duration in words               | pollInterval: 30 seconds                            | pollInterval
      max-age as a string             | maxAge: '300'                                       | maxAge
      too many keys                   | maxKeys: 100000                                     | maxKeys
      unknown log level               | logLevel: verbose                                   | logLevel
      unknown log format              | logFormat: logfmt                                   | logFormat
      mirror target without scheme    | mirror: {targets: [my-bucket]}                      | targets
      role arn of another service     | mirror: {aws: {roleArn: 'arn:aws:s3:::bucket'}}     | roleArn
      file store with two replicas    | store: file                                         | replicaCount
      key files without a secret      | source: files                                       | secretName
      wrong cert-manager issuer kind  | ingress: {certManager: {issuerKind: Certificate}}   | issuerKind
      mirror of an unknown scheme     | mirror: {targets: ['ftp://bucket/oidc']}            | targets
      gcs mirror under another name   | mirror: {targets: ['gcs://bucket/oidc']}            | targets
      mirror region with capitals     | mirror: {region: EU-West-1}                         | region
      gcp-wif target of a pool only   | mirror: {targets: ['gcp-wif://projects/p/locations/global/workloadIdentityPools/pool']} | targets
      gcp-wif in another location     | mirror: {targets: ['gcp-wif://projects/p/locations/eu/workloadIdentityPools/pool/providers/prov']} | targets
      gcp iam endpoint without scheme | mirror: {gcpIamEndpoint: iam.googleapis.com}       | gcpIamEndpoint
      server tls switched on by text  | serverTls: {enabled: 'yes'}                         | enabled
      server tls secret with capitals | serverTls: {secretName: My-Cert}                    | secretName
      server tls issuer of wrong kind | serverTls: {certManager: {issuerKind: Certificate}} | issuerKind
      misspelt server tls key         | serverTls: {enable: true}                           | enable
      alert duration in words         | prometheusRule: {sourceFailingFor: ten minutes}     | sourceFailingFor
      token lifetime as a duration    | prometheusRule: {tokenLifetimeSeconds: 24h}         | tokenLifetimeSeconds
      unknown mirror alert severity   | prometheusRule: {mirrorSeverity: page}              | mirrorSeverity
      selector that is not matchers   | prometheusRule: {selector: job=kubeassume}          | selector
      runbook that is not a url       | prometheusRule: {runbookUrl: docs/runbook.md}       | runbookUrl
      misspelt prometheus rule key    | prometheusRule: {enable: true}                      | enable
      dashboard label of another type | grafanaDashboard: {labels: {grafana_dashboard: 1}}  | grafana_dashboard
      misspelt dashboard key          | grafanaDashboard: {enabeld: true}                   | enabeld
      """)
  void wrongValueFailsToRender(String description, String values, String named) {
    Exception e = assertThrows(Exception.class, () -> Charts.template(values), description + " rendered");
    assertTrue(e.getMessage().contains(named), () -> description + ": the error should name " + named + ": " + e.getMessage());
  }

  /** A fleet's values, rendered without the issuer (a fleet has none): each wrong one names the value. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      an issuer besides the fleet     | {issuerUrl: 'https://oidc.example.com', fleet: {enabled: true}}                 | issuerUrl
      a mirror target besides it      | {mirror: {targets: ['s3://b/oidc']}, fleet: {enabled: true}}                   | targets
      key files besides it            | {source: files, keys: {secretName: k}, fleet: {enabled: true}}                 | source
      a state file besides it         | {store: file, replicaCount: 1, fleet: {enabled: true}}                          | store
      unknown fleet source            | {fleet: {enabled: true, source: crd}}                                           | source
      misspelt fleet key              | {fleet: {enabled: true, watchNamespace: [a]}}                                   | watchNamespace
      namespace with capitals         | {fleet: {enabled: true, watchNamespaces: [Team-A]}}                             | watchNamespaces
      http prefix                     | {fleet: {enabled: true, issuerUrlPrefixes: ['http://oidc.example.com/']}}      | issuerUrlPrefixes
      issuers file with two replicas  | {fleet: {enabled: true, source: file, issuersConfigMap: f}}                     | replicaCount
      issuers file without configmap  | {replicaCount: 1, fleet: {enabled: true, source: file}}                         | issuersConfigMap
      issuers file and namespaces     | {replicaCount: 1, fleet: {enabled: true, source: file, issuersConfigMap: f, watchNamespaces: [a]}} | watchNamespaces
      key secret without items        | {replicaCount: 1, fleet: {enabled: true, source: file, issuersConfigMap: f, keySecrets: [{name: k}]}} | items
      key secrets with the objects    | {fleet: {enabled: true, keySecrets: [{name: k, items: [sa.pub]}]}}               | keySecrets
      crd switch as text              | {fleet: {enabled: true, crd: {install: 'yes'}}}                                 | install
      """)
  void wrongFleetValueFailsToRender(String description, String values, String named) {
    Exception e = assertThrows(Exception.class, () -> Charts.templateExactly(values), description + " rendered");
    assertTrue(e.getMessage().contains(named), () -> description + ": the error should name " + named + ": " + e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      no issuer at all           | replicaCount: 2
      http issuer                | issuerUrl: http://oidc.example.com
      issuer with a query        | issuerUrl: https://oidc.example.com/?a=b
      issuer without a scheme    | issuerUrl: oidc.example.com
      """)
  void wrongIssuerFailsToRender(String description, String values) {
    Exception e = assertThrows(Exception.class, () -> Charts.templateExactly(values), description + " rendered");
    assertTrue(e.getMessage().contains("issuerUrl"), () -> description + ": " + e.getMessage());
  }
}
