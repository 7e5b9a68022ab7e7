package io.kubeassume.cli;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.google.auth.oauth2.GoogleCredentials;
import com.oracle.bmc.auth.BasicAuthenticationDetailsProvider;
import com.oracle.bmc.auth.ConfigFileAuthenticationDetailsProvider;
import com.oracle.bmc.http.signing.DefaultRequestSigner;
import com.oracle.bmc.http.signing.RequestSigner;
import io.kubeassume.gcp.GoogleBearer;
import io.kubeassume.setup.JsonHttp;
import io.kubeassume.setup.SetupException;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the REST-based commands (setup and status for gcp, azure, oci) authenticate, each through its cloud's own
 * library; a missing or unusable credential becomes one line saying how to provide it.
 */
final class CloudAuth {
  private CloudAuth() {}

  /** A bearer token from the Google auth library (Application Default Credentials unless given), refreshed by it. */
  static JsonHttp.Auth google(GoogleCredentials given) {
    return new GoogleBearer(given);
  }

  /** A bearer token for ARM (DefaultAzureCredential unless given), fetched once for the whole run. */
  static JsonHttp.Auth azure(TokenCredential given, URI arm) {
    TokenCredential c = given != null ? given : new DefaultAzureCredentialBuilder().build();
    String scope = arm.getScheme() + "://" + arm.getAuthority() + "/.default";
    AccessToken[] token = new AccessToken[1];
    return (method, uri, headers, body) -> {
      if (token[0] == null) {
        try {
          token[0] = c.getTokenSync(new TokenRequestContext().addScopes(scope));
        } catch (ClientAuthenticationException e) {
          throw new SetupException("no usable Azure credentials (" + firstLine(e.getMessage()) + "): run az login, "
              + "or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE), "
              + "or run with a managed identity");
        }
      }
      return Map.of("Authorization", "Bearer " + token[0].getToken());
    };
  }

  /**
   * Signs each request with the OCI SDK's signer (draft-cavage HTTP signatures over the API key); the key comes
   * from {@code given}, else from the OCI config file and profile.
   */
  static JsonHttp.Auth oci(BasicAuthenticationDetailsProvider given, String configFile, String profile)
      throws SetupException {
    BasicAuthenticationDetailsProvider provider = given;
    if (provider == null) {
      String file = configFile.strip().replaceFirst("^~", System.getProperty("user.home"));
      try {
        provider = new ConfigFileAuthenticationDetailsProvider(file, profile.strip());
      } catch (IOException | RuntimeException e) {
        throw new SetupException("no usable OCI credentials in " + file + " profile " + profile + " ("
            + e.getMessage() + "): run oci setup config, or pass --oci-config/--oci-profile");
      }
    }
    RequestSigner signer = DefaultRequestSigner.createRequestSigner(provider);
    return (method, uri, headers, body) -> {
      Map<String, List<String>> h = new LinkedHashMap<>();
      headers.forEach((k, v) -> h.put(k, List.of(v)));
      try {
        return signer.signRequest(uri, method, h, body.isEmpty() ? null : body);
      } catch (RuntimeException e) {
        throw new SetupException("cannot sign the OCI request (" + e.getMessage() + "); check the key file in the "
            + "OCI config");
      }
    };
  }

  private static String firstLine(String s) {
    return s == null ? "no detail" : s.lines().findFirst().orElse("").strip();
  }
}
