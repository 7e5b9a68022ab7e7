package io.kubeassume.gcp;

import java.nio.file.Path;

/**
 * A fake Google for the tests that run kubeassume as a whole (CLI, server): {@link FakeIam} with one OIDC provider,
 * {@link FakeSts} trusted through the JVM's default https socket factory, and the system property
 * GOOGLE_APPLICATION_CREDENTIALS naming a workload identity federation credential configuration that google-auth
 * exchanges there. Closing undoes all of it.
 */
public final class FakeGcp implements AutoCloseable {
  public static final String PROVIDER =
      "projects/my-project/locations/global/workloadIdentityPools/k8s-pool/providers/cluster-a";
  public static final String TARGET = "gcp-wif://" + PROVIDER;

  public final FakeIam iam;
  public final FakeSts sts;
  private final FakeSts.Trust trust;

  private FakeGcp(FakeIam iam, FakeSts sts, FakeSts.Trust trust) {
    this.iam = iam;
    this.sts = sts;
    this.trust = trust;
  }

  /** @param dir where the credential configuration and its subject token are written */
  public static FakeGcp start(Path dir, String issuer) throws Exception {
    FakeIam iam = new FakeIam();
    iam.addProvider(PROVIDER, issuer);
    FakeSts sts = new FakeSts(iam);
    FakeGcp gcp = new FakeGcp(iam, sts, sts.trust());
    System.setProperty(GcpWifTargets.CREDENTIALS_FILE, GcpWifFixture.federatedCredentials(dir, sts).toString());
    return gcp;
  }

  @Override
  public void close() {
    System.clearProperty(GcpWifTargets.CREDENTIALS_FILE);
    trust.close();
    sts.close();
    iam.close();
  }
}
