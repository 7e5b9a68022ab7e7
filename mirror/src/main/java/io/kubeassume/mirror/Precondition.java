package io.kubeassume.mirror;

import java.util.Objects;

/** The condition a write is made under: the object must not exist yet, or must still be exactly one version. */
public sealed interface Precondition {
  /** Create only: fails if any object exists under the key (S3 {@code If-None-Match: *}). */
  static Precondition createOnly() {
    return CreateOnly.INSTANCE;
  }

  /** Replace exactly the version with this token (S3 {@code If-Match: token}). */
  static Precondition replacing(String token) {
    return new Replace(token);
  }

  enum CreateOnly implements Precondition {
    INSTANCE
  }

  record Replace(String token) implements Precondition {
    public Replace {
      Objects.requireNonNull(token, "token");
    }
  }
}
