package io.kubeassume.mirror;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where one mirror lives, parsed from a {@code --mirror} URI. Pure; no SDK involved.
 *
 * <ul>
 *   <li>{@code s3://bucket/prefix}
 *   <li>{@code gs://bucket/prefix}
 *   <li>{@code azblob://account/container/prefix}
 *   <li>{@code oci://namespace/bucket/prefix}
 *   <li>{@code gcp-wif://projects/PROJECT/locations/global/workloadIdentityPools/POOL/providers/PROVIDER}
 * </ul>
 *
 * For the buckets the prefix is optional; the documents go to {@code <prefix>/.well-known/openid-configuration}
 * and {@code <prefix>/openid/v1/jwks}. A {@code gcp-wif} location names a GCP workload identity pool provider
 * instead: {@code account} is the project (ID or number), {@code bucket} the pool and {@code prefix} the
 * provider ID; {@link #gcpProviderName()} gives its IAM resource name.
 *
 * @param account the Azure storage account, the OCI namespace or the GCP project; {@code null} for s3 and gs
 * @param bucket the bucket (the container for Azure, the pool for gcp-wif)
 * @param prefix the key prefix without leading or trailing slashes, {@code ""} for none (the provider for gcp-wif)
 */
public record MirrorLocation(MirrorScheme scheme, String account, String bucket, String prefix) {
  private static final Pattern URI_SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$");
  private static final Pattern S3_BUCKET = Pattern.compile("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$");
  private static final Pattern GCS_BUCKET = Pattern.compile("^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$");
  private static final Pattern AZURE_ACCOUNT = Pattern.compile("^[a-z0-9]{3,24}$");
  private static final Pattern AZURE_CONTAINER = Pattern.compile("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$");
  private static final Pattern OCI_NAMESPACE = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$");
  private static final Pattern OCI_BUCKET = Pattern.compile("^[A-Za-z0-9._-]{1,256}$");
  /** Characters a key prefix may hold: no spaces, no controls, nothing a URL would need to escape ambiguously. */
  private static final Pattern PREFIX_SEGMENT = Pattern.compile("^[A-Za-z0-9._~!$&'()*+,;=:@-]+$");
  /** A GCP project ID (6 to 30 characters) or project number. */
  private static final Pattern GCP_PROJECT = Pattern.compile("^([a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20})$");
  /** Pool and provider IDs: 4 to 32 of [a-z0-9-]; the prefix gcp- is Google's. */
  private static final Pattern GCP_ID = Pattern.compile("^(?!gcp-)[a-z0-9-]{4,32}$");

  public MirrorLocation {
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(bucket, "bucket");
    prefix = prefix == null ? "" : prefix;
  }

  /**
   * Parses a {@code --mirror} value.
   *
   * @throws IllegalArgumentException with a one-line message saying what is wrong and the accepted forms
   */
  public static MirrorLocation parse(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("is empty; use one of " + MirrorScheme.allForms());
    }
    String text = uri.strip();
    var m = URI_SCHEME.matcher(text);
    if (!m.matches()) {
      throw bad(text, "is not a URI; use one of " + MirrorScheme.allForms());
    }
    MirrorScheme scheme = MirrorScheme.of(m.group(1));
    if (scheme == null) {
      throw bad(text, "has an unknown scheme '" + m.group(1) + "'; use one of " + MirrorScheme.allForms());
    }
    String rest = m.group(2);
    for (char c : new char[] {'?', '#'}) {
      if (rest.indexOf(c) >= 0) {
        throw bad(text, "must not have a query or fragment ('" + c + "'); use " + scheme.form());
      }
    }
    if (rest.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw bad(text, "must not contain spaces or control characters");
    }
    // Trailing slashes mean "no more prefix"; empty segments inside are a typo worth refusing.
    while (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    if (scheme == MirrorScheme.GCP_WIF) {
      return gcpProvider(text, rest);
    }
    String[] parts = rest.isEmpty() ? new String[0] : rest.split("/", -1);
    int fixed = scheme == MirrorScheme.S3 || scheme == MirrorScheme.GCS ? 1 : 2;
    if (parts.length < fixed || parts[0].isEmpty() || (fixed == 2 && parts[1].isEmpty())) {
      throw bad(text, "is missing the " + (fixed == 1 ? "bucket" : scheme == MirrorScheme.AZURE_BLOB ? "account or container"
          : "namespace or bucket") + "; use " + scheme.form());
    }
    String account = fixed == 2 ? parts[0] : null;
    String bucket = parts[fixed - 1];
    List<String> prefix = new ArrayList<>();
    for (int i = fixed; i < parts.length; i++) {
      String seg = parts[i];
      if (seg.isEmpty()) {
        throw bad(text, "has an empty path segment ('//') in its prefix");
      }
      if (seg.equals(".") || seg.equals("..")) {
        throw bad(text, "must not have '.' or '..' in its prefix");
      }
      if (!PREFIX_SEGMENT.matcher(seg).matches()) {
        throw bad(text, "has a prefix segment '" + seg + "' with characters object keys should not use; "
            + "use letters, digits and - . _ ~");
      }
      prefix.add(seg);
    }
    checkNames(text, scheme, account, bucket);
    return new MirrorLocation(scheme, account, bucket, String.join("/", prefix));
  }

  /** {@code projects/P/locations/global/workloadIdentityPools/POOL/providers/PROV}, exactly. */
  private static MirrorLocation gcpProvider(String text, String rest) {
    String[] p = rest.split("/", -1);
    if (p.length != 8 || !p[0].equals("projects") || !p[2].equals("locations") || !p[4].equals("workloadIdentityPools")
        || !p[6].equals("providers")) {
      throw bad(text, "is not a workload identity pool provider; use " + MirrorScheme.GCP_WIF.form());
    }
    if (!GCP_PROJECT.matcher(p[1]).matches()) {
      throw bad(text, "has an invalid GCP project '" + p[1] + "'; use the project ID (6 to 30 lower-case letters, "
          + "digits and hyphens) or the project number");
    }
    if (!p[3].equals("global")) {
      throw bad(text, "has the location '" + p[3] + "'; workload identity pools are always in 'global'");
    }
    if (!GCP_ID.matcher(p[5]).matches()) {
      throw bad(text, "has an invalid pool ID '" + p[5] + "'; use 4 to 32 lower-case letters, digits and hyphens "
          + "(not starting with gcp-)");
    }
    if (!GCP_ID.matcher(p[7]).matches()) {
      throw bad(text, "has an invalid provider ID '" + p[7] + "'; use 4 to 32 lower-case letters, digits and hyphens "
          + "(not starting with gcp-)");
    }
    return new MirrorLocation(MirrorScheme.GCP_WIF, p[1], p[5], p[7]);
  }

  private static void checkNames(String text, MirrorScheme scheme, String account, String bucket) {
    if (bucket.contains("@") || bucket.contains(":") || (account != null && (account.contains("@") || account.contains(":")))) {
      throw bad(text, "must not contain user info or a port; put a custom endpoint in --mirror-endpoint");
    }
    switch (scheme) {
      case S3 -> {
        if (!S3_BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
          throw bad(text, "has an invalid S3 bucket name '" + bucket + "'; use 3 to 63 lower-case letters, digits, dots and hyphens");
        }
      }
      case GCS -> {
        if (!GCS_BUCKET.matcher(bucket).matches() || (!bucket.contains(".") && bucket.length() > 63)) {
          throw bad(text, "has an invalid GCS bucket name '" + bucket + "'; use 3 to 63 lower-case letters, digits, "
              + "hyphens, underscores and dots");
        }
      }
      case AZURE_BLOB -> {
        if (!AZURE_ACCOUNT.matcher(account).matches()) {
          throw bad(text, "has an invalid Azure storage account name '" + account + "'; use 3 to 24 lower-case letters and digits");
        }
        if (!bucket.equals("$web") && !AZURE_CONTAINER.matcher(bucket).matches()) {
          throw bad(text, "has an invalid Azure container name '" + bucket + "'; use 3 to 63 lower-case letters, digits "
              + "and single hyphens, or $web");
        }
      }
      case OCI -> {
        if (!OCI_NAMESPACE.matcher(account).matches()) {
          throw bad(text, "has an invalid OCI namespace '" + account + "'; use the tenancy's Object Storage namespace "
              + "(oci os ns get)");
        }
        if (!OCI_BUCKET.matcher(bucket).matches()) {
          throw bad(text, "has an invalid OCI bucket name '" + bucket + "'; use letters, digits, dashes, underscores and dots");
        }
      }
      case GCP_WIF -> throw new IllegalStateException("gcp-wif locations are parsed by gcpProvider");
    }
  }

  private static IllegalArgumentException bad(String text, String problem) {
    return new IllegalArgumentException("'" + text + "' " + problem);
  }

  /** The key prefix as {@link DocumentPublisher} takes it. */
  public String keyPrefix() {
    return prefix;
  }

  /** True for the buckets; false for a gcp-wif provider, which holds keys, not documents. */
  public boolean isObjectStore() {
    return scheme.isObjectStore();
  }

  /**
   * The IAM resource name of a gcp-wif location,
   * {@code projects/P/locations/global/workloadIdentityPools/POOL/providers/PROV}.
   *
   * @throws IllegalStateException for a bucket location
   */
  public String gcpProviderName() {
    if (scheme != MirrorScheme.GCP_WIF) {
      throw new IllegalStateException(this + " is not a gcp-wif location");
    }
    return "projects/" + account + "/locations/global/workloadIdentityPools/" + bucket + "/providers/" + prefix;
  }

  /** The canonical URI, used as the {@code target} label of the metrics and in /readyz. */
  @Override
  public String toString() {
    if (scheme == MirrorScheme.GCP_WIF) {
      return scheme.scheme() + "://" + gcpProviderName();
    }
    StringBuilder b = new StringBuilder(scheme.scheme()).append("://");
    if (account != null) {
      b.append(account).append('/');
    }
    b.append(bucket);
    if (!prefix.isEmpty()) {
      b.append('/').append(prefix);
    }
    return b.toString();
  }
}
