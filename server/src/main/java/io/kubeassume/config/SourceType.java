package io.kubeassume.config;

/** Where the cluster's public keys come from (--source). */
public enum SourceType {
  /** PEM public keys, certificates and JWKS files named by --keys, watched for changes. */
  FILES("files"),
  /** The API server's own /.well-known/openid-configuration and /openid/v1/jwks. */
  KUBERNETES("kubernetes");

  private final String flagValue;

  SourceType(String flagValue) {
    this.flagValue = flagValue;
  }

  public String flagValue() {
    return flagValue;
  }

  public static SourceType fromFlag(String value) {
    for (SourceType type : values()) {
      if (type.flagValue.equals(value)) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown source '" + value + "'; use files or kubernetes");
  }
}
