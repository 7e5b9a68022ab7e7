package io.kubeassume.gcp;

import java.io.IOException;
import java.nio.file.Path;

/** Opens the package's fixtures to the tests of other packages (the CLI's, the server's). */
public final class GcpWifTestAccess {
  private GcpWifTestAccess() {}

  /** A static token the fake accepts. */
  public static com.google.auth.oauth2.GoogleCredentials token() {
    return GcpWifFixture.token();
  }

  /** See {@link GcpWifFixture#federatedCredentials}. */
  public static Path federatedCredentials(Path dir, FakeSts sts) throws IOException {
    return GcpWifFixture.federatedCredentials(dir, sts);
  }
}
