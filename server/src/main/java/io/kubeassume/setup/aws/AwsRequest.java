package io.kubeassume.setup.aws;

import java.util.List;

/** What {@code setup aws} was asked for, already validated. Namespace and service account may be null. */
public record AwsRequest(String issuerUrl, List<String> audiences, List<String> thumbprints, String roleName,
    String namespace, String serviceAccount) {
  public AwsRequest {
    audiences = List.copyOf(audiences);
    thumbprints = List.copyOf(thumbprints);
  }

  public boolean hasSubject() {
    return namespace != null && serviceAccount != null;
  }
}
