package io.kubeassume.fleet;

import io.kubeassume.document.IssuerUrl;
import io.kubeassume.mirror.MirrorLocation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One issuer of a fleet, as declared by an {@code OIDCIssuer} object or an entry of an issuers file:
 * its URL, where its public keys come from, and its own overlap, Cache-Control max-age and mirrors.
 *
 * @param id {@code namespace/name} of the object, or the entry's name in a file: unique, stable, and
 *     the value of the {@code issuer} label of its metrics
 * @param created when it was declared: of two issuers claiming one URL the older keeps it
 */
public record IssuerSpec(String id, IssuerUrl issuer, KeySourceSpec source, Duration overlap, long maxAgeSeconds,
    List<MirrorLocation> mirrors, Instant created) {

  public IssuerSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(overlap, "overlap");
    mirrors = List.copyOf(mirrors);
    Objects.requireNonNull(created, "created");
  }

  /** Where an issuer's public keys come from. */
  public sealed interface KeySourceSpec permits SecretItems, ApiServer, KeyFiles {}

  /**
   * Named items of a Secret in the issuer's namespace: public keys (PEM, certificates) or a JWKS.
   * Only these items are read; a private key in one is refused as {@code --keys} refuses it.
   */
  public record SecretItems(String namespace, String name, List<String> items) implements KeySourceSpec {
    public SecretItems {
      // Interned: thousands of issuers name the same namespaces and items (sa.pub).
      namespace = namespace.intern();
      items = items.stream().map(String::intern).toList();
    }
  }

  /** A remote cluster's API server, reached with the kubeconfig held in item {@code key} of a Secret beside the issuer. */
  public record ApiServer(String namespace, String secretName, String key) implements KeySourceSpec {}

  /** Key files and directories, as {@code --keys} (issuers files only). */
  public record KeyFiles(List<Path> paths) implements KeySourceSpec {
    public KeyFiles {
      paths = List.copyOf(paths);
    }
  }
}
