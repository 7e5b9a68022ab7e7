package io.kubeassume.config;

import java.nio.file.Path;
import java.util.List;

/**
 * How a fleet is declared ({@code serve --issuers}): an issuers file, or OIDCIssuer objects in the
 * cluster. Null in {@link ServeConfig} for the single issuer of {@code --issuer-url}.
 *
 * @param file the issuers file (mode FILE), else null
 * @param stateDir one state file per issuer (mode FILE); null keeps state in memory
 * @param issuerUrlPrefixes the URLs an issuer may claim (empty: any)
 * @param watchNamespaces where OIDCIssuer objects and their Secrets are read (mode KUBERNETES; empty: all)
 */
public record FleetSettings(Mode mode, Path file, Path stateDir, List<String> issuerUrlPrefixes, List<String> watchNamespaces) {
  public enum Mode { FILE, KUBERNETES }

  /** The value of {@code --issuers} that reads OIDCIssuer objects instead of a file. */
  public static final String KUBERNETES_VALUE = "kubernetes";

  public FleetSettings {
    issuerUrlPrefixes = List.copyOf(issuerUrlPrefixes);
    watchNamespaces = List.copyOf(watchNamespaces);
  }

  public static FleetSettings file(Path file, Path stateDir, List<String> prefixes) {
    return new FleetSettings(Mode.FILE, file, stateDir, prefixes, List.of());
  }

  public static FleetSettings kubernetes(List<String> prefixes, List<String> namespaces) {
    return new FleetSettings(Mode.KUBERNETES, null, null, prefixes, namespaces);
  }
}
