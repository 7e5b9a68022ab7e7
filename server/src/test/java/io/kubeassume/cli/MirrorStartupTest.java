package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** `kubeassume serve --mirror` against S3Proxy: a target that fails its start-up check stops start-up with one line. */
class MirrorStartupTest {
  @RegisterExtension
  final S3ProxyExtension s3proxy = S3ProxyExtension.builder().withCredentials("access", "secret-key").build();

  @BeforeEach
  void credentials() {
    // The AWS SDK's default chain reads these, as it would read IRSA or instance credentials in production.
    System.setProperty("aws.accessKeyId", "access");
    System.setProperty("aws.secretAccessKey", "secret-key");
  }

  @AfterEach
  void clear() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  @Test
  void aMissingBucketStopsStartUpNamingTheTargetAndThePermission() {
    ServeFlagsTest.Run r = ServeFlagsTest.run(Map.of("KUBEASSUME_MIRROR_ENDPOINT", s3proxy.getUri().toString()),
        "serve", "--issuer-url", "https://h", "--source", "files", "--keys", ServeFlagsTest.KEY, "--port", "0", "--management-port", "0",
        "--mirror", "s3://no-such-bucket/clusters/prod");
    assertEquals(ExitCodes.FAILURE, r.exit(), r.err());
    assertEquals(1, r.err().strip().lines().count(), "exactly one line: " + r.err());
    assertTrue(r.err().startsWith("kubeassume serve: cannot start: --mirror s3://no-such-bucket/clusters/prod: "
        + "cannot read clusters/prod/openid/v1/jwks: The specified bucket does not exist"), r.err());
    assertTrue(r.err().contains("check that the bucket exists"), r.err());
  }

  @Test
  void wrongCredentialsStopStartUpNamingTheReadPermission() {
    System.setProperty("aws.secretAccessKey", "not-the-secret");
    ServeFlagsTest.Run r = ServeFlagsTest.run(Map.of("KUBEASSUME_MIRROR_ENDPOINT", s3proxy.getUri().toString()),
        "serve", "--issuer-url", "https://h", "--source", "files", "--keys", ServeFlagsTest.KEY, "--port", "0", "--management-port", "0",
        "--mirror", "s3://oidc");
    assertEquals(ExitCodes.FAILURE, r.exit(), r.err());
    assertEquals(1, r.err().strip().lines().count(), "exactly one line: " + r.err());
    assertTrue(r.err().startsWith("kubeassume serve: cannot start: --mirror s3://oidc: cannot read openid/v1/jwks: "), r.err());
    assertTrue(r.err().contains("s3:GetObject"), r.err());
  }
}
