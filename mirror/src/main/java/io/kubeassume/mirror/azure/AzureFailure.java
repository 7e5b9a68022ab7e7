package io.kubeassume.mirror.azure;

/**
 * What an error answer from the blob service means to the mirror, from its status and
 * {@code x-ms-error-code}. Pure.
 */
enum AzureFailure {
  /** The blob is not there (a read finds nothing, or a replace finds it deleted). */
  BLOB_NOT_FOUND,
  /** The container does not exist: a configuration error, not an empty mirror. */
  CONTAINER_NOT_FOUND,
  /**
   * A conditional write was refused because someone else wrote first. Azure answers a failed
   * {@code If-Match} with 412 ConditionNotMet; a create-only write ({@code If-None-Match: *}) onto an
   * existing blob with 412 or, as Azurite does, 409 BlobAlreadyExists.
   */
  CONDITION_FAILED,
  /** Authentication or authorization failed: wrong credentials or a missing role. */
  ACCESS_DENIED,
  /** Anything else (throttling, server errors, ...). */
  OTHER;

  static AzureFailure classify(int status, String errorCode) {
    String code = errorCode == null ? "" : errorCode;
    switch (status) {
      case 412:
        return CONDITION_FAILED;
      case 409:
        return code.isEmpty() || code.equals("BlobAlreadyExists") ? CONDITION_FAILED : OTHER;
      case 404:
        return code.equals("ContainerNotFound") ? CONTAINER_NOT_FOUND : BLOB_NOT_FOUND;
      case 401:
      case 403:
        return ACCESS_DENIED;
      default:
        return OTHER;
    }
  }
}
