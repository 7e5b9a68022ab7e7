package io.kubeassume.mirror.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.mirror.MirrorException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciCredentialsTest {
  @TempDir
  Path home;

  @Test
  void resourcePrincipalWinsWhenThePlatformSetsIt() throws Exception {
    Path config = writeConfig();
    assertEquals(OciCredentials.RESOURCE_PRINCIPAL, OciCredentials.choose(Map.of("OCI_RESOURCE_PRINCIPAL_VERSION", "2.2"), config));
  }

  @Test
  void aConfigFileComesNext() throws Exception {
    assertEquals(OciCredentials.CONFIG_FILE, OciCredentials.choose(Map.of(), writeConfig()));
    assertEquals(OciCredentials.CONFIG_FILE, OciCredentials.choose(Map.of("OCI_RESOURCE_PRINCIPAL_VERSION", " "), writeConfig()));
  }

  @Test
  void otherwiseTheInstancePrincipal() {
    assertEquals(OciCredentials.INSTANCE_PRINCIPAL, OciCredentials.choose(Map.of(), home.resolve(".oci/config")));
  }

  @Test
  void theConfigFileIsFoundLikeTheOciCli() {
    assertEquals(home.resolve(".oci/config"), OciCredentials.configFile(Map.of(), home));
    assertEquals(Path.of("/etc/oci/config"), OciCredentials.configFile(Map.of("OCI_CONFIG_FILE", "/etc/oci/config"), home));
  }

  @Test
  void anUnusableConfigFileIsOneClearError() throws Exception {
    Path config = home.resolve("config");
    Files.writeString(config, "[DEFAULT]\nuser=ocid1.user.oc1..x\n");
    MirrorException e = assertThrows(MirrorException.class,
        () -> OciCredentials.CONFIG_FILE.provider(Map.of(), config));
    assertTrue(e.getMessage().startsWith("no usable OCI credentials for the OCI mirror (tried the config file " + config + ")"),
        e.getMessage());
    assertTrue(e.getMessage().contains("OCI_RESOURCE_PRINCIPAL_VERSION"), e.getMessage());

    MirrorException profile = assertThrows(MirrorException.class,
        () -> OciCredentials.CONFIG_FILE.provider(Map.of("OCI_CLI_PROFILE", "NOPE"), config));
    assertTrue(profile.getMessage().contains("NOPE"), profile.getMessage());
  }

  private Path writeConfig() throws Exception {
    Path config = home.resolve(".oci/config");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "[DEFAULT]\n");
    return config;
  }
}
