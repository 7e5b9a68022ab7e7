package io.kubeassume.cli;

import com.oracle.bmc.auth.BasicAuthenticationDetailsProvider;
import io.kubeassume.config.ConfigException;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.setup.JsonHttp;
import io.kubeassume.setup.SetupException;
import io.kubeassume.setup.SetupOutput;
import io.kubeassume.setup.oci.OciPlanner;
import io.kubeassume.setup.oci.OciSetup;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "oci", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Creates or updates the identity domain's identity propagation trust (type JWT, active) for the issuer, so "
            + "workloads can exchange their service-account tokens for an OCI UPST, and prints that exchange.",
        "Credentials: the OCI config file (--oci-config, --oci-profile); requests are signed by the OCI SDK.",
        "Exit code 0: done (or --dry-run printed the calls); 1: a call failed or was refused; 2: a wrong flag.",
        "Every flag has an environment twin: --issuer-url is also KUBEASSUME_ISSUER_URL."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  kubeassume setup oci --issuer-url https://oidc.example.com \\",
        "      --domain-url https://idcs-abc.identity.oraclecloud.com --oauth-client CLIENT_ID"})
final class SetupOciCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--issuer-url", paramLabel = "URL",
      description = "The issuer exactly as in the tokens' iss (https). Required. Env: KUBEASSUME_ISSUER_URL")
  String issuerUrl;

  @Option(names = "--domain-url", paramLabel = "URL",
      description = "Identity domain URL, e.g. https://idcs-abc.identity.oraclecloud.com. Required. "
          + "Env: KUBEASSUME_DOMAIN_URL")
  String domainUrl;

  @Option(names = "--name", paramLabel = "NAME",
      description = "Name of the trust. Default: kubeassume-HOST. Env: KUBEASSUME_NAME")
  String name;

  @Option(names = "--jwks-url", paramLabel = "URL",
      description = "Where OCI fetches the keys. Default: the issuer's /openid/v1/jwks. Env: KUBEASSUME_JWKS_URL")
  String jwksUrl;

  @Option(names = "--audience", paramLabel = "AUD", split = ",",
      description = "Token audience accepted (clientClaimName aud); repeatable. Default: none, any audience. "
          + "Env: KUBEASSUME_AUDIENCE (comma-separated)")
  List<String> audiences = new ArrayList<>();

  @Option(names = "--oauth-client", paramLabel = "CLIENT_ID", split = ",",
      description = "OAuth client ID allowed to make the exchange; repeatable. "
          + "Env: KUBEASSUME_OAUTH_CLIENT (comma-separated)")
  List<String> oauthClients = new ArrayList<>();

  @Option(names = "--service-user", paramLabel = "USER_ID",
      description = "Service user the service account impersonates (with --namespace/--service-account). "
          + "Env: KUBEASSUME_SERVICE_USER")
  String serviceUser;

  @Option(names = "--namespace", paramLabel = "NS", description = "Namespace of the service account. Env: KUBEASSUME_NAMESPACE")
  String namespace;

  @Option(names = "--service-account", paramLabel = "SA",
      description = "Service account that impersonates --service-user. Env: KUBEASSUME_SERVICE_ACCOUNT")
  String serviceAccount;

  @Option(names = "--oci-config", paramLabel = "FILE", defaultValue = "~/.oci/config",
      description = "OCI config file. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_OCI_CONFIG")
  String ociConfig;

  @Option(names = "--oci-profile", paramLabel = "PROFILE", defaultValue = "DEFAULT",
      description = "Profile in the OCI config file. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_OCI_PROFILE")
  String ociProfile;

  @Option(names = "--dry-run", description = "Print the calls a real run makes; send none. Env: KUBEASSUME_DRY_RUN")
  boolean dryRun;

  /** Credentials; tests put a generated API key here. Null means the OCI config file. */
  BasicAuthenticationDetailsProvider auth;

  @Override
  public Integer call() {
    SetupFlags flags = new SetupFlags(spec);
    OciPlanner.Wanted wanted;
    String domain;
    try {
      IssuerUrl issuer = flags.issuer(issuerUrl, true);
      domain = flags.url("--domain-url", flags.required("--domain-url", domainUrl,
          "the identity domain URL, e.g. --domain-url https://idcs-abc.identity.oraclecloud.com"),
          "https://idcs-abc.identity.oraclecloud.com").toString();
      String jwks = SetupFlags.optional(jwksUrl);
      jwks = jwks == null ? issuer.jwksUri() : flags.url("--jwks-url", jwks, issuer.jwksUri()).toString();
      String[] subject = flags.subject(namespace, serviceAccount, SetupFlags.optional(serviceUser) != null,
          "with --service-user");
      String trustName = SetupFlags.optional(name);
      if (trustName == null) {
        trustName = "kubeassume-" + URI.create(issuer.value()).getHost();
      }
      wanted = new OciPlanner.Wanted(trustName, issuer.value(), jwks, SetupFlags.nonBlank(audiences),
          SetupFlags.nonBlank(oauthClients), SetupFlags.optional(serviceUser),
          subject[0] == null ? null : "system:serviceaccount:" + subject[0] + ":" + subject[1]);
    } catch (ConfigException e) {
      return fail(ExitCodes.USAGE, e.getMessage());
    }
    SetupOutput out = new SetupOutput(spec.commandLine().getOut(), dryRun);
    try {
      JsonHttp http = dryRun ? null : new JsonHttp(CloudAuth.oci(auth, ociConfig, ociProfile));
      new OciSetup(http, out, domain).run(wanted);
      return ExitCodes.OK;
    } catch (SetupException e) {
      return fail(ExitCodes.FAILURE, e.getMessage());
    }
  }

  private int fail(int code, String message) {
    spec.commandLine().getErr().println("kubeassume setup oci: " + message);
    spec.commandLine().getErr().flush();
    return code;
  }
}
