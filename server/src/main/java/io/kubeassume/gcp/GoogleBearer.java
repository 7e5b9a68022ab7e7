package io.kubeassume.gcp;

import com.google.auth.oauth2.GoogleCredentials;
import io.kubeassume.setup.JsonHttp;
import io.kubeassume.setup.SetupException;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Authenticates {@link JsonHttp} requests to Google APIs with a bearer token from google-auth-library, which
 * fetches and refreshes it: Application Default Credentials (GKE workload identity through the metadata server,
 * a workload identity federation credential configuration or key file in {@code GOOGLE_APPLICATION_CREDENTIALS},
 * gcloud's login) unless credentials are given. A credential that cannot give a token is one line saying how to
 * provide one. Thread-safe.
 */
public final class GoogleBearer implements JsonHttp.Auth {
  public static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";

  private GoogleCredentials credentials;

  /** @param given the credentials to use, or null to look Application Default Credentials up on first use */
  public GoogleBearer(GoogleCredentials given) {
    this.credentials = given;
  }

  @Override
  public Map<String, String> headers(String method, URI uri, Map<String, String> headers, String body)
      throws SetupException {
    try {
      Map<String, List<String>> meta = credentials().getRequestMetadata(uri);
      List<String> authz = meta.get("Authorization");
      if (authz == null || authz.isEmpty()) {
        throw new SetupException("the Google credentials gave no Authorization header");
      }
      return Map.of("Authorization", authz.get(0));
    } catch (IOException e) {
      // No cause on purpose: an IOException cause means "the endpoint could not be reached" to the callers that
      // retry (WorkloadIdentityIam.unreachable), and a credential that gives no token is not that.
      throw new SetupException("no usable Google credentials (" + firstLine(e.getMessage())
          + "): run gcloud auth application-default login, or set GOOGLE_APPLICATION_CREDENTIALS");
    }
  }

  private synchronized GoogleCredentials credentials() throws IOException {
    if (credentials == null) {
      credentials = GoogleCredentials.getApplicationDefault().createScoped(List.of(SCOPE));
    }
    return credentials;
  }

  private static String firstLine(String s) {
    return s == null ? "no detail" : s.lines().findFirst().orElse("").strip();
  }
}
