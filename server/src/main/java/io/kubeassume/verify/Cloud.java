package io.kubeassume.verify;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** A cloud IAM that trusts the issuer, with the rules that differ between clouds. */
public enum Cloud {
  AWS("aws", "sts.amazonaws.com", Set.of("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")),
  GCP("gcp", null, Set.of("RS256", "ES256")),
  AZURE("azure", "api://AzureADTokenExchange", Set.of("RS256")),
  // OCI documents no algorithm limit; these are the ones a Kubernetes API server can sign with.
  OCI("oci", null, Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"));

  private final String flag;
  private final String defaultAudience;
  private final Set<String> algorithms;

  Cloud(String flag, String defaultAudience, Set<String> algorithms) {
    this.flag = flag;
    this.defaultAudience = defaultAudience;
    this.algorithms = algorithms;
  }

  /** The name used on the command line and in reports: aws, gcp, azure, oci. */
  public String flag() {
    return flag;
  }

  /** The audience a token for this cloud carries when none is configured, or null if it is per provider. */
  public String defaultAudience() {
    return defaultAudience;
  }

  /** JWS algorithms this cloud accepts for token signatures. */
  public Set<String> algorithms() {
    return algorithms;
  }

  public static Cloud fromFlag(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    for (Cloud c : values()) {
      if (c.flag.equals(v)) {
        return c;
      }
    }
    throw new IllegalArgumentException("'" + value + "' is not a cloud; use aws, gcp, azure or oci (comma-separated)");
  }

  public static Set<Cloud> all() {
    return EnumSet.allOf(Cloud.class);
  }
}
