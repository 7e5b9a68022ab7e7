package io.kubeassume.setup.aws;

import java.util.List;

/** An IAM OIDC identity provider as IAM reports it. */
public record AwsProvider(String arn, List<String> clientIds, List<String> thumbprints) {
  public AwsProvider {
    clientIds = List.copyOf(clientIds);
    thumbprints = List.copyOf(thumbprints);
  }
}
