package io.kubeassume.cli;

import io.kubeassume.config.ConfigException;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.setup.SetupException;
import io.kubeassume.setup.SetupOutput;
import io.kubeassume.setup.aws.AwsRequest;
import io.kubeassume.setup.aws.AwsSetup;
import io.kubeassume.setup.aws.IamGateway;
import io.kubeassume.tls.Thumbprint;
import io.kubeassume.setup.aws.TlsChainFetcher;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.IamClientBuilder;

@Command(name = "aws", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Creates or updates the IAM OIDC identity provider for the issuer (missing audiences and thumbprints are "
            + "added to an existing one), prints its ARN and a role trust policy for a service account, and with "
            + "--role-name creates or updates that role.",
        "Credentials: the AWS SDK default chain (AWS_PROFILE, AWS_ACCESS_KEY_ID..., SSO, instance or pod role).",
        "Exit code 0: done (or --dry-run printed the calls); 1: a call failed or was refused; 2: a wrong flag.",
        "Every flag has an environment twin: --issuer-url is also KUBEASSUME_ISSUER_URL."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  kubeassume setup aws --issuer-url https://oidc.example.com --dry-run",
        "  kubeassume setup aws --issuer-url https://oidc.example.com --role-name app-role \\",
        "      --namespace backend --service-account app"})
final class SetupAwsCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--issuer-url", paramLabel = "URL",
      description = "The issuer exactly as in the tokens' iss (https, no port). Required. Env: KUBEASSUME_ISSUER_URL")
  String issuerUrl;

  @Option(names = "--audience", paramLabel = "AUD", split = ",", defaultValue = "sts.amazonaws.com",
      description = "Client ID (token audience) the provider accepts; repeatable. Default: ${DEFAULT-VALUE}. "
          + "Env: KUBEASSUME_AUDIENCE (comma-separated)")
  List<String> audiences = new ArrayList<>();

  @Option(names = "--thumbprint", paramLabel = "SHA1", split = ",",
      description = "Thumbprint to register instead of reading the issuer's TLS chain (SHA-1 hex of the top "
          + "intermediate CA); repeatable, at most 5. Env: KUBEASSUME_THUMBPRINT (comma-separated)")
  List<String> thumbprints = new ArrayList<>();

  @Option(names = "--role-name", paramLabel = "NAME",
      description = "Also create this role (or update its trust policy) for --namespace/--service-account. "
          + "Env: KUBEASSUME_ROLE_NAME")
  String roleName;

  @Option(names = "--namespace", paramLabel = "NS",
      description = "Namespace of the service account the trust policy admits. Env: KUBEASSUME_NAMESPACE")
  String namespace;

  @Option(names = "--service-account", paramLabel = "SA",
      description = "Service account the trust policy admits. Env: KUBEASSUME_SERVICE_ACCOUNT")
  String serviceAccount;

  @Option(names = "--region", paramLabel = "REGION", defaultValue = "aws-global",
      description = "Signing region of IAM: aws-global, or e.g. cn-north-1 / us-gov-west-1 in other partitions. "
          + "Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_REGION")
  String region;

  @Option(names = "--iam-endpoint", paramLabel = "URL",
      description = "IAM endpoint, for a private endpoint or an IAM emulator. Default: the SDK's. "
          + "Env: KUBEASSUME_IAM_ENDPOINT")
  String iamEndpoint;

  @Option(names = "--dry-run", description = "Print the calls a real run makes; send none. Env: KUBEASSUME_DRY_RUN")
  boolean dryRun;

  /** Credentials; tests put static ones here. Null means the SDK's default chain. */
  AwsCredentialsProvider credentials;
  /** Where the thumbprint is read from; tests trust their own CA here. */
  TlsChainFetcher tls = TlsChainFetcher.withSystemTrust();

  @Override
  public Integer call() {
    SetupFlags flags = new SetupFlags(spec);
    AwsRequest request;
    URI endpoint;
    try {
      IssuerUrl issuer = flags.issuer(issuerUrl, true);
      if (issuer.hasPort()) {
        throw new ConfigException(flags.flag("--issuer-url"), "'" + issuerUrl + "' has a port; AWS IAM accepts only "
            + "issuers on port 443, so serve it there and drop the port");
      }
      List<String> auds = SetupFlags.nonBlank(audiences);
      if (auds.isEmpty() || auds.size() > 100 || auds.stream().anyMatch(a -> a.length() > 255)) {
        throw new ConfigException(flags.flag("--audience"), "give 1 to 100 audiences of at most 255 characters, "
            + "e.g. --audience sts.amazonaws.com");
      }
      String role = SetupFlags.optional(roleName);
      if (role != null && !role.matches("[\\w+=,.@-]{1,64}")) {
        throw new ConfigException(flags.flag("--role-name"), "'" + role + "' is not an IAM role name "
            + "(1-64 of letters, digits and +=,.@_-)");
      }
      String[] subject = flags.subject(namespace, serviceAccount, role != null, "with --role-name");
      List<String> prints = new ArrayList<>();
      for (String t : SetupFlags.nonBlank(thumbprints)) {
        try {
          prints.add(Thumbprint.normalize(t));
        } catch (IllegalArgumentException e) {
          throw new ConfigException(flags.flag("--thumbprint"), e.getMessage());
        }
      }
      if (prints.size() > 5) {
        throw new ConfigException(flags.flag("--thumbprint"), "IAM holds at most 5 thumbprints; give fewer");
      }
      String e = SetupFlags.optional(iamEndpoint);
      endpoint = e == null ? null : flags.url("--iam-endpoint", e, "https://iam.amazonaws.com");
      region = flags.awsRegion(region);
      if (prints.isEmpty()) {
        URI u = URI.create(issuer.value());
        prints.add(Thumbprint.of(tls.fetch(u.getHost(), 443)));
      }
      request = new AwsRequest(issuer.value(), auds, prints, role, subject[0], subject[1]);
    } catch (ConfigException e) {
      return fail(ExitCodes.USAGE, e.getMessage());
    } catch (SetupException e) {
      return fail(ExitCodes.FAILURE, e.getMessage());
    }
    SetupOutput out = new SetupOutput(spec.commandLine().getOut(), dryRun);
    if (dryRun) {
      return run(null, out, request);
    }
    try (IamClient iam = client(endpoint)) {
      return run(new IamGateway(iam), out, request);
    }
  }

  private int run(IamGateway iam, SetupOutput out, AwsRequest request) {
    try {
      new AwsSetup(iam, out).run(request);
      return ExitCodes.OK;
    } catch (SetupException e) {
      return fail(ExitCodes.FAILURE, e.getMessage());
    }
  }

  private IamClient client(URI endpoint) {
    IamClientBuilder b = IamClient.builder()
        .region(Region.of(region.strip()))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build());
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }

  private int fail(int code, String message) {
    spec.commandLine().getErr().println("kubeassume setup aws: " + message);
    spec.commandLine().getErr().flush();
    return code;
  }
}
