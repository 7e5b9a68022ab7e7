package io.kubeassume.setup.gcp;

import java.util.List;

/** What {@code setup gcp} was asked for, validated. Condition, JWKS, namespace, SA and project number may be null. */
public record GcpRequest(String issuerUrl, String project, String projectNumber, String pool, String provider,
    List<String> audiences, String condition, String jwksJson, String namespace, String serviceAccount) {
  public GcpRequest {
    audiences = List.copyOf(audiences);
  }
}
