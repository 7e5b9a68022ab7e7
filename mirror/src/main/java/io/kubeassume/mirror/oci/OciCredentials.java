package io.kubeassume.mirror.oci;

import com.oracle.bmc.ConfigFileReader;
import com.oracle.bmc.auth.BasicAuthenticationDetailsProvider;
import com.oracle.bmc.auth.ConfigFileAuthenticationDetailsProvider;
import com.oracle.bmc.auth.InstancePrincipalsAuthenticationDetailsProvider;
import com.oracle.bmc.auth.ResourcePrincipalAuthenticationDetailsProvider;
import io.kubeassume.mirror.MirrorException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Which OCI credential the OCI mirror signs with, chosen from the environment without network calls:
 *
 * <ol>
 *   <li>{@code OCI_RESOURCE_PRINCIPAL_VERSION} is set: the resource principal the platform injected.
 *   <li>else a config file exists ({@code OCI_CONFIG_FILE}, default {@code ~/.oci/config}, profile
 *       {@code OCI_CLI_PROFILE} or {@code DEFAULT}): that API signing key. An explicit file wins
 *       over the ambient instance identity, as with the OCI CLI.
 *   <li>else the instance principal of the OCI compute instance we run on (its dynamic group must
 *       be allowed to use the bucket). Looked up from the instance metadata service, so only tried
 *       when nothing else is configured.
 * </ol>
 */
enum OciCredentials {
  RESOURCE_PRINCIPAL,
  CONFIG_FILE,
  INSTANCE_PRINCIPAL;

  static final String RESOURCE_PRINCIPAL_VERSION = "OCI_RESOURCE_PRINCIPAL_VERSION";
  static final String CONFIG_FILE_ENV = ConfigFileReader.OCI_CONFIG_FILE_PATH_ENV_VAR_NAME;
  static final String PROFILE_ENV = "OCI_CLI_PROFILE";

  /** Pure: the kind of credential for {@code env}, given where a config file would be. */
  static OciCredentials choose(Map<String, String> env, Path configFile) {
    if (!isBlank(env.get(RESOURCE_PRINCIPAL_VERSION))) {
      return RESOURCE_PRINCIPAL;
    }
    if (Files.isRegularFile(configFile)) {
      return CONFIG_FILE;
    }
    return INSTANCE_PRINCIPAL;
  }

  /** The config file the environment points at ({@code OCI_CONFIG_FILE}, else {@code ~/.oci/config}). */
  static Path configFile(Map<String, String> env, Path home) {
    String explicit = env.get(CONFIG_FILE_ENV);
    return isBlank(explicit) ? home.resolve(".oci").resolve("config") : Path.of(explicit);
  }

  /** Builds the provider for this kind. Blocking (instance principals call the metadata service). */
  BasicAuthenticationDetailsProvider provider(Map<String, String> env, Path configFile) {
    try {
      return switch (this) {
        case RESOURCE_PRINCIPAL -> ResourcePrincipalAuthenticationDetailsProvider.builder().build();
        case CONFIG_FILE -> new ConfigFileAuthenticationDetailsProvider(
            ConfigFileReader.parse(configFile.toString(), isBlank(env.get(PROFILE_ENV)) ? "DEFAULT" : env.get(PROFILE_ENV)));
        case INSTANCE_PRINCIPAL -> InstancePrincipalsAuthenticationDetailsProvider.builder().build();
      };
    } catch (Exception e) {
      throw new MirrorException("no usable OCI credentials for the OCI mirror (tried " + describe(configFile) + "): "
          + e.getMessage() + "; set up one of: a resource principal (" + RESOURCE_PRINCIPAL_VERSION + "), an API key in "
          + configFile + " (or " + CONFIG_FILE_ENV + "), or run on an OCI instance whose dynamic group may use the bucket", e);
    }
  }

  String describe(Path configFile) {
    return switch (this) {
      case RESOURCE_PRINCIPAL -> "the resource principal (" + RESOURCE_PRINCIPAL_VERSION + " is set)";
      case CONFIG_FILE -> "the config file " + configFile;
      case INSTANCE_PRINCIPAL -> "the instance principal (no " + RESOURCE_PRINCIPAL_VERSION + ", no " + configFile + ")";
    };
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
