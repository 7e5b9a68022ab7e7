package io.kubeassume.config;

import java.nio.file.Path;
import java.util.Objects;

/** The PEM certificate chain and private key the public port serves TLS with (--tls-cert, --tls-key). */
public record TlsFiles(Path certificate, Path privateKey) {
  public TlsFiles {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
  }
}
