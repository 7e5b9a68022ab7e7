package io.kubeassume.mirror.azure;

import java.net.URI;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The target contract against Microsoft's Azurite image, where Docker is available; skipped cleanly
 * where it is not. The same Azurite version as the npm one {@link AzureMirrorTest} runs, so the two
 * differ only in how the emulator is started.
 */
@Testcontainers(disabledWithoutDocker = true)
class AzuriteContainerTest extends AzuriteContract {
  private static final int PORT = 10000;

  @Container
  static final GenericContainer<?> AZURITE = new GenericContainer<>(
      "mcr.microsoft.com/azure-storage/azurite:" + AzuriteInstall.VERSION)
      .withCommand("azurite-blob", "--blobHost", "0.0.0.0", "--blobPort", Integer.toString(PORT),
          "--inMemoryPersistence", "--loose", "--skipApiVersionCheck", "--disableTelemetry")
      .withExposedPorts(PORT)
      .waitingFor(Wait.forListeningPort());

  @Override
  protected String connectionString() {
    return AzuriteExtension.connectionString(URI.create(
        "http://" + AZURITE.getHost() + ":" + AZURITE.getMappedPort(PORT) + "/" + AzuriteExtension.ACCOUNT));
  }
}
