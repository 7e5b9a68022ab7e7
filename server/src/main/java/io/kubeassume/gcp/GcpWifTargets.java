package io.kubeassume.gcp;

import com.google.auth.oauth2.GoogleCredentials;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.mirror.MirrorException;
import io.kubeassume.mirror.MirrorLocation;
import io.kubeassume.setup.JsonHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Builds the publisher of a {@code --mirror gcp-wif://...} location, with its credentials and IAM endpoint. */
public final class GcpWifTargets {
  /** Google's variable naming a credential file; also read as a JVM system property, first (tests, embedders). */
  static final String CREDENTIALS_FILE = "GOOGLE_APPLICATION_CREDENTIALS";

  private GcpWifTargets() {}

  /**
   * Looks the credentials up now (blocking: off the event loop), so a missing one stops start-up.
   *
   * @param endpointOrNull {@code --gcp-iam-endpoint}, or null for https://iam.googleapis.com
   * @param writes whether this replica writes to the provider now (see {@link GcpWifPublisher})
   * @throws MirrorException with one line if no usable Google credentials are found
   */
  public static GcpWifPublisher create(MirrorLocation location, IssuerUrl issuer, URI endpointOrNull,
      BooleanSupplier writes) {
    GoogleCredentials credentials = credentials(location);
    JsonHttp http = new JsonHttp(new GoogleBearer(credentials));
    String endpoint = endpointOrNull == null ? WorkloadIdentityIam.DEFAULT_ENDPOINT : endpointOrNull.toString();
    return new GcpWifPublisher(location, new WorkloadIdentityIam(http, endpoint), issuer, writes);
  }

  /**
   * Application Default Credentials: GKE workload identity (metadata server), a credential configuration of
   * workload identity federation or a service-account key in {@code GOOGLE_APPLICATION_CREDENTIALS}, gcloud's
   * login. The system property of the same name is read first.
   */
  static GoogleCredentials credentials(MirrorLocation location) {
    String file = System.getProperty(CREDENTIALS_FILE);
    try {
      GoogleCredentials c;
      if (file != null && !file.isBlank()) {
        try (InputStream in = Files.newInputStream(Path.of(file.strip()))) {
          c = GoogleCredentials.fromStream(in);
        }
      } else {
        c = GoogleCredentials.getApplicationDefault();
      }
      return c.createScoped(List.of(GoogleBearer.SCOPE));
    } catch (IOException | RuntimeException e) {
      throw new MirrorException("--mirror " + location + ": no usable Google credentials ("
          + String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip() + "): run on GKE with workload identity, "
          + "or set GOOGLE_APPLICATION_CREDENTIALS to a credential configuration (workload identity federation) or a "
          + "key file", e);
    }
  }
}
