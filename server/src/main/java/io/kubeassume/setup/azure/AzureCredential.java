package io.kubeassume.setup.azure;

import java.util.List;

/** A federated identity credential on a user-assigned managed identity. */
public record AzureCredential(String name, String issuer, String subject, List<String> audiences) {
  public AzureCredential {
    audiences = List.copyOf(audiences);
  }
}
