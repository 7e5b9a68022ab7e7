package io.kubeassume.mirror;

/**
 * The object stores a {@code --mirror} URI can name, with the permissions kubeassume needs in each
 * (named in start-up errors, so an operator knows exactly what to grant).
 */
public enum MirrorScheme {
  /** {@code s3://bucket/prefix}: Amazon S3 or an S3-compatible store (with --mirror-endpoint). */
  // Without s3:ListBucket, S3 answers a read of a missing object (every first start) with 403, not 404.
  S3("s3", "s3://BUCKET/PREFIX", "s3:GetObject and s3:ListBucket", "s3:PutObject"),
  /** {@code gs://bucket/prefix}: Google Cloud Storage. Replacing an object also needs delete. */
  GCS("gs", "gs://BUCKET/PREFIX", "storage.objects.get", "storage.objects.create and storage.objects.delete"),
  /** {@code azblob://account/container/prefix}: Azure Blob Storage. */
  AZURE_BLOB("azblob", "azblob://ACCOUNT/CONTAINER/PREFIX",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read (Storage Blob Data Reader)",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write (Storage Blob Data Contributor)"),
  /** {@code oci://namespace/bucket/prefix}: OCI Object Storage. */
  OCI("oci", "oci://NAMESPACE/BUCKET/PREFIX", "OBJECT_READ", "OBJECT_CREATE and OBJECT_OVERWRITE"),
  /**
   * {@code gcp-wif://projects/P/locations/global/workloadIdentityPools/POOL/providers/PROV}: not a bucket but
   * a GCP workload identity pool provider whose uploaded JWKS ({@code oidc.jwksJson}) follows the served keys.
   */
  GCP_WIF("gcp-wif", "gcp-wif://projects/PROJECT/locations/global/workloadIdentityPools/POOL/providers/PROVIDER",
      "iam.workloadIdentityPoolProviders.get", "iam.workloadIdentityPoolProviders.update");

  private final String scheme;
  private final String form;
  private final String readPermission;
  private final String writePermission;

  MirrorScheme(String scheme, String form, String readPermission, String writePermission) {
    this.scheme = scheme;
    this.form = form;
    this.readPermission = readPermission;
    this.writePermission = writePermission;
  }

  /** The URI scheme, e.g. {@code s3}. */
  public String scheme() {
    return scheme;
  }

  /** The URI form, for error messages. */
  public String form() {
    return form;
  }

  public String readPermission() {
    return readPermission;
  }

  public String writePermission() {
    return writePermission;
  }

  /** True for the buckets (s3, gs, azblob, oci), which hold the two documents as objects under a prefix. */
  public boolean isObjectStore() {
    return this != GCP_WIF;
  }

  /** The scheme for a URI scheme, or null. */
  static MirrorScheme of(String scheme) {
    for (MirrorScheme s : values()) {
      if (s.scheme.equals(scheme)) {
        return s;
      }
    }
    return null;
  }

  static String allForms() {
    StringBuilder b = new StringBuilder();
    for (MirrorScheme s : values()) {
      if (b.length() > 0) {
        b.append(", ");
      }
      b.append(s.form);
    }
    return b.toString();
  }
}
