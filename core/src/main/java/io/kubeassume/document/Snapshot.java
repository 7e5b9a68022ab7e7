package io.kubeassume.document;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An immutable, fully rendered document set: what every replica serves and every mirror copies.
 * The revision comes from the merge state and grows whenever the served keys change.
 *
 * @param oldestRetirement when the served key that left the source longest ago left it, or null if
 *     every served key is current: that key leaves the documents at this time plus the overlap
 */
public record Snapshot(long revision, IssuerUrl issuer, Document discovery, Document jwks, List<String> kids,
    Instant oldestRetirement) {
  /** A document set of current keys only. */
  public Snapshot(long revision, IssuerUrl issuer, Document discovery, Document jwks, List<String> kids) {
    this(revision, issuer, discovery, jwks, kids, null);
  }

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
