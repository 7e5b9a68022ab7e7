package io.kubeassume.document;

import java.util.List;
import java.util.Objects;

/**
 * An immutable, fully rendered document set: what every replica serves and every mirror copies.
 * The revision comes from the merge state and grows whenever the served keys change.
 */
public record Snapshot(long revision, IssuerUrl issuer, Document discovery, Document jwks, List<String> kids) {
  public Snapshot {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(discovery, "discovery");
    Objects.requireNonNull(jwks, "jwks");
    kids = List.copyOf(kids);
  }

  public int keyCount() {
    return kids.size();
  }
}
