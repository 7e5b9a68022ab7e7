package io.kubeassume.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MirrorLocationTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "s3://oidc                                   | S3         |             | oidc       |                | s3://oidc",
      "s3://oidc/                                  | S3         |             | oidc       |                | s3://oidc",
      "s3://my.oidc-bucket/clusters/prod/          | S3         |             | my.oidc-bucket | clusters/prod | s3://my.oidc-bucket/clusters/prod",
      "gs://oidc_bucket/prod                       | GCS        |             | oidc_bucket | prod          | gs://oidc_bucket/prod",
      "azblob://acct01/issuer/prod                 | AZURE_BLOB | acct01      | issuer     | prod           | azblob://acct01/issuer/prod",
      "azblob://acct01/$web                        | AZURE_BLOB | acct01      | $web       |                | azblob://acct01/$web",
      "oci://axaxnpcrorw5/oidc-bucket/a/b          | OCI        | axaxnpcrorw5 | oidc-bucket | a/b          | oci://axaxnpcrorw5/oidc-bucket/a/b",
      "'  s3://oidc/p  '                           | S3         |             | oidc       | p              | s3://oidc/p"})
  void parsesAllFourForms(String uri, MirrorScheme scheme, String account, String bucket, String prefix, String canonical) {
    MirrorLocation l = MirrorLocation.parse(uri);
    assertEquals(scheme, l.scheme());
    assertEquals(account, l.account());
    assertEquals(bucket, l.bucket());
    assertEquals(prefix == null ? "" : prefix, l.prefix());
    assertEquals(canonical, l.toString());
    assertEquals(l, MirrorLocation.parse(l.toString()), "the canonical form parses back to the same location");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "''                                | is empty; use one of s3://BUCKET/PREFIX, gs://BUCKET/PREFIX, azblob://ACCOUNT/CONTAINER/PREFIX, oci://NAMESPACE/BUCKET/PREFIX",
      "oidc-bucket                       | 'oidc-bucket' is not a URI; use one of s3://",
      "https://oidc.example.com/x        | has an unknown scheme 'https'",
      "file:///tmp/x                     | has an unknown scheme 'file'",
      "s3://                             | is missing the bucket; use s3://BUCKET/PREFIX",
      "s3:///prefix                      | is missing the bucket",
      "s3://Oidc_Bucket/p                | has an invalid S3 bucket name 'Oidc_Bucket'",
      "s3://ab                           | has an invalid S3 bucket name 'ab'",
      "s3://a..b/p                       | has an invalid S3 bucket name 'a..b'",
      "s3://oidc/p?versionId=1           | must not have a query or fragment",
      "s3://oidc/p#x                     | must not have a query or fragment",
      "s3://key:secret@oidc/p            | must not contain user info or a port",
      "s3://oidc:9000/p                  | must not contain user info or a port",
      "s3://oidc/a//b                    | has an empty path segment",
      "s3://oidc/a/../b                  | must not have '.' or '..'",
      "s3://oidc/a b                     | must not contain spaces",
      "s3://oidc/a/%2e                   | with characters object keys should not use",
      "gs://UPPER/p                      | has an invalid GCS bucket name 'UPPER'",
      "azblob://acct01                   | is missing the account or container; use azblob://ACCOUNT/CONTAINER/PREFIX",
      "azblob://Acct/issuer              | has an invalid Azure storage account name 'Acct'",
      "azblob://acct01/a--b              | has an invalid Azure container name 'a--b'",
      "oci://ns                          | is missing the namespace or bucket; use oci://NAMESPACE/BUCKET/PREFIX",
      "oci://ns/bad bucket               | must not contain spaces",
      "gcp-wif://projects/my-project     | is not a workload identity pool provider; use gcp-wif://projects/PROJECT/locations/global/workloadIdentityPools/POOL/providers/PROVIDER",
      "gcp-wif://projects/my-project/locations/global/workloadIdentityPools/pool/providers/prov/x | is not a workload identity pool provider",
      "gcp-wif://project/my-project/locations/global/workloadIdentityPools/pool/providers/prov | is not a workload identity pool provider",
      "gcp-wif://projects/My_Project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a | has an invalid GCP project 'My_Project'",
      "gcp-wif://projects/my-project/locations/europe-west1/workloadIdentityPools/k8s-pool/providers/cluster-a | has the location 'europe-west1'; workload identity pools are always in 'global'",
      "gcp-wif://projects/my-project/locations/global/workloadIdentityPools/gcp-pool/providers/cluster-a | has an invalid pool ID 'gcp-pool'",
      "gcp-wif://projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/abc | has an invalid provider ID 'abc'",
      "gcp-wif://projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a?x=1 | must not have a query or fragment"})
  void refusesBadUrisWithOneLineSayingWhy(String uri, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MirrorLocation.parse(uri));
    assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should contain '" + expected + "'");
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void aGcpWifLocationNamesAProviderInItsCanonicalForm() {
    MirrorLocation l = MirrorLocation.parse(
        " gcp-wif://projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a/ ");
    assertEquals(MirrorScheme.GCP_WIF, l.scheme());
    assertEquals("my-project", l.account());
    assertEquals("k8s-pool", l.bucket());
    assertEquals("cluster-a", l.prefix());
    assertEquals("projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a",
        l.gcpProviderName());
    assertEquals("gcp-wif://projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a",
        l.toString());
    assertEquals(l, MirrorLocation.parse(l.toString()));
    assertTrue(!l.isObjectStore());
    assertTrue(MirrorLocation.parse("gs://oidc").isObjectStore());
    assertEquals("123456789", MirrorLocation.parse(
        "gcp-wif://projects/123456789/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a").account());
    assertThrows(IllegalStateException.class, () -> MirrorLocation.parse("gs://oidc").gcpProviderName());
    assertThrows(IllegalArgumentException.class, () -> MirrorTargets.create(l, MirrorOptions.DEFAULTS));
  }

  @Test
  void theProbeAndTheDocumentsGoUnderThePrefix() {
    MirrorLocation l = MirrorLocation.parse("s3://oidc/clusters/prod");
    assertEquals("clusters/prod/.kubeassume-write-check", MirrorCheck.probeKey(l));
    assertEquals(".kubeassume-write-check", MirrorCheck.probeKey(MirrorLocation.parse("s3://oidc")));
    DocumentPublisher p = new DocumentPublisher(new DocumentPublisherTest.MemoryTarget(), l.keyPrefix(), java.time.Duration.ofSeconds(60));
    assertEquals("clusters/prod/openid/v1/jwks", p.jwksKey());
    assertEquals("clusters/prod/.well-known/openid-configuration", p.discoveryKey());
  }

  @Test
  void eachSchemeBuildsItsStoresTarget() throws Exception {
    java.net.URI emulator = java.net.URI.create("http://127.0.0.1:1");
    MirrorTarget s3 = MirrorTargets.create(MirrorLocation.parse("s3://oidc/p"), new MirrorOptions(emulator, "eu-west-1"));
    assertTrue(s3 instanceof io.kubeassume.mirror.s3.S3Target, s3.getClass().getName());
    assertEquals("s3://oidc", s3.describe());
    MirrorTarget gcs = MirrorTargets.create(MirrorLocation.parse("gs://oidc/p"), new MirrorOptions(emulator, null));
    assertTrue(gcs instanceof io.kubeassume.mirror.gcs.GcsTarget, gcs.getClass().getName());
    assertTrue(gcs.describe().startsWith("gs://oidc"), gcs.describe());
    assertNull(MirrorScheme.of("http"));
  }

  @Test
  void anAzureTargetThatCannotWorkIsRefusedNamingTheFlag() {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("AZURE_STORAGE_CONNECTION_STRING") == null);
    // A plain http endpoint with token credentials: the value to change is --mirror-endpoint's.
    MirrorConfigException e = assertThrows(MirrorConfigException.class, () -> MirrorTargets.create(
        MirrorLocation.parse("azblob://acct01/issuer"), new MirrorOptions(java.net.URI.create("http://127.0.0.1:1"), null)));
    assertEquals("--mirror-endpoint", e.flag());
    assertTrue(e.getMessage().contains("azblob://acct01/issuer is plain http"), e.getMessage());
    // A name the SDK refuses is a --mirror problem.
    e = assertThrows(MirrorConfigException.class, () -> MirrorTargets.create(
        new MirrorLocation(MirrorScheme.AZURE_BLOB, "Acct01", "issuer", ""), MirrorOptions.DEFAULTS));
    assertEquals("--mirror", e.flag());
    assertTrue(e.getMessage().startsWith("--mirror: 'azblob://Acct01/issuer': "), e.getMessage());
  }
}
