package io.kubeassume.cli;

import com.azure.core.credential.TokenCredential;
import com.google.auth.oauth2.GoogleCredentials;
import com.oracle.bmc.auth.BasicAuthenticationDetailsProvider;
import io.kubeassume.config.ConfigException;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.setup.JsonHttp;
import io.kubeassume.setup.SetupException;
import io.kubeassume.setup.aws.IamGateway;
import io.kubeassume.setup.azure.AzureSetup;
import io.kubeassume.setup.gcp.GcpSetup;
import io.kubeassume.setup.oci.OciSetup;
import io.kubeassume.status.AzureTarget;
import io.kubeassume.status.GcpTarget;
import io.kubeassume.status.IssuerFacts;
import io.kubeassume.status.StatusReport;
import io.kubeassume.status.StatusRender;
import io.kubeassume.status.TrustProbe;
import io.kubeassume.verify.CheckResult;
import io.kubeassume.verify.Cloud;
import io.kubeassume.verify.Verifier;
import java.io.PrintWriter;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
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

@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Shows whether the issuer and each cloud's trust in it agree: the verify summary of the issuer, then, per "
            + "cloud given, whether the trust exists and matches the issuer and its current keys. Read-only: it "
            + "never changes anything in a cloud.",
        "Exit code 0: nothing failed (warnings allowed); 1: a check failed; 2: a wrong flag.",
        "Every flag has an environment twin: --issuer-url is also KUBEASSUME_ISSUER_URL."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  kubeassume status --issuer-url https://oidc.example.com --aws",
        "  kubeassume status --issuer-url https://oidc.example.com --gcp --project my-project \\",
        "      --pool-id k8s-pool --provider-id cluster-a --output json"})
final class StatusCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--issuer-url", paramLabel = "URL",
      description = "The issuer exactly as the clouds are told it. Required. Env: KUBEASSUME_ISSUER_URL")
  String issuerUrl;

  @Option(names = "--ca-file", paramLabel = "FILE",
      description = "PEM CA certificate(s) trusted besides the public roots when fetching the issuer, for tests and "
          + "private CAs. Env: KUBEASSUME_CA_FILE")
  String caFile;

  @Option(names = "--output", paramLabel = "text|json", defaultValue = "text",
      description = "Report format. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_OUTPUT")
  String output;

  @Option(names = "--aws", description = "Check the AWS IAM OIDC provider for the issuer. Env: KUBEASSUME_AWS")
  boolean aws;

  @Option(names = "--region", paramLabel = "REGION", defaultValue = "aws-global",
      description = "Signing region of IAM (aws-global, or e.g. cn-north-1). Default: ${DEFAULT-VALUE}. "
          + "Env: KUBEASSUME_REGION")
  String region;

  @Option(names = "--aws-iam-endpoint", paramLabel = "URL",
      description = "AWS IAM endpoint (setup aws calls it --iam-endpoint). Default: the SDK's. "
          + "Env: KUBEASSUME_AWS_IAM_ENDPOINT")
  String awsIamEndpoint;

  @Option(names = "--gcp", description = "Check the GCP workload identity pool and provider. Env: KUBEASSUME_GCP")
  boolean gcp;

  @Option(names = "--project", paramLabel = "ID", description = "GCP project ID or number. Env: KUBEASSUME_PROJECT")
  String project;

  @Option(names = "--pool-id", paramLabel = "ID", description = "Workload identity pool ID. Env: KUBEASSUME_POOL_ID")
  String poolId;

  @Option(names = "--provider-id", paramLabel = "ID", description = "OIDC provider ID in the pool. "
      + "Env: KUBEASSUME_PROVIDER_ID")
  String providerId;

  @Option(names = "--gcp-iam-endpoint", paramLabel = "URL", defaultValue = "https://iam.googleapis.com",
      description = "GCP IAM API endpoint (setup gcp calls it --iam-endpoint). Default: ${DEFAULT-VALUE}. "
          + "Env: KUBEASSUME_GCP_IAM_ENDPOINT")
  String gcpIamEndpoint;

  @Option(names = "--azure", description = "Check the Azure managed identity's federated credentials. "
      + "Env: KUBEASSUME_AZURE")
  boolean azure;

  @Option(names = "--subscription", paramLabel = "ID", description = "Subscription ID of the identity. "
      + "Env: KUBEASSUME_SUBSCRIPTION")
  String subscription;

  @Option(names = "--resource-group", paramLabel = "NAME", description = "Resource group of the identity. "
      + "Env: KUBEASSUME_RESOURCE_GROUP")
  String resourceGroup;

  @Option(names = "--identity", paramLabel = "NAME", description = "Name of the user-assigned managed identity. "
      + "Env: KUBEASSUME_IDENTITY")
  String identity;

  @Option(names = "--arm-endpoint", paramLabel = "URL", defaultValue = "https://management.azure.com",
      description = "Azure Resource Manager endpoint. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_ARM_ENDPOINT")
  String armEndpoint;

  @Option(names = "--oci", description = "Check the OCI identity domain's identity propagation trust. "
      + "Env: KUBEASSUME_OCI")
  boolean oci;

  @Option(names = "--domain-url", paramLabel = "URL",
      description = "Identity domain URL, e.g. https://idcs-abc.identity.oraclecloud.com. Env: KUBEASSUME_DOMAIN_URL")
  String domainUrl;

  @Option(names = "--oci-config", paramLabel = "FILE", defaultValue = "~/.oci/config",
      description = "OCI config file. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_OCI_CONFIG")
  String ociConfig;

  @Option(names = "--oci-profile", paramLabel = "PROFILE", defaultValue = "DEFAULT",
      description = "Profile in the OCI config file. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_OCI_PROFILE")
  String ociProfile;

  /** Credentials; tests put fixed ones here. Null means each cloud SDK's default chain. */
  AwsCredentialsProvider awsCredentials;
  GoogleCredentials gcpCredentials;
  TokenCredential azureCredential;
  BasicAuthenticationDetailsProvider ociAuth;

  @Override
  public Integer call() {
    SetupFlags flags = new SetupFlags(spec);
    IssuerUrl issuer;
    KeyStore cas;
    boolean json;
    GcpTarget gcpTarget = null;
    AzureTarget azureTarget = null;
    URI awsEndpoint = null;
    URI gcpEndpoint = null;
    URI arm = null;
    String domain = null;
    try {
      issuer = flags.issuer(issuerUrl, false);
      cas = VerifyCommand.caStore(caFile, flags.flag("--ca-file"));
      json = switch (output.strip()) {
        case "text" -> false;
        case "json" -> true;
        default -> throw new ConfigException(flags.flag("--output"), "'" + output + "' is not a format; use text or json");
      };
      onlyWith(flags, gcp, "--gcp", project, "--project", poolId, "--pool-id", providerId, "--provider-id");
      onlyWith(flags, azure, "--azure", subscription, "--subscription", resourceGroup, "--resource-group", identity,
          "--identity");
      onlyWith(flags, oci, "--oci", domainUrl, "--domain-url");
      if (aws) {
        awsEndpoint = SetupFlags.optional(awsIamEndpoint) == null ? null
            : flags.url("--aws-iam-endpoint", awsIamEndpoint, "https://iam.amazonaws.com");
        region = flags.awsRegion(region);
      }
      if (gcp) {
        gcpTarget = new GcpTarget(SetupGcpCommand.project(flags, project),
            SetupGcpCommand.id(flags, "--pool-id", poolId), SetupGcpCommand.id(flags, "--provider-id", providerId));
        gcpEndpoint = flags.url("--gcp-iam-endpoint", gcpIamEndpoint, "https://iam.googleapis.com");
      }
      if (azure) {
        azureTarget = new AzureTarget(
            azureName(flags, "--subscription", subscription, "the subscription ID, e.g. --subscription "
                + "00000000-0000-0000-0000-000000000000"),
            azureName(flags, "--resource-group", resourceGroup, "the identity's resource group, e.g. --resource-group rg"),
            azureName(flags, "--identity", identity, "the user-assigned identity's name, e.g. --identity app-identity"));
        arm = flags.url("--arm-endpoint", armEndpoint, "https://management.azure.com");
      }
      if (oci) {
        domain = flags.url("--domain-url", flags.required("--domain-url", domainUrl,
            "the identity domain URL, e.g. --domain-url https://idcs-abc.identity.oraclecloud.com"),
            "https://idcs-abc.identity.oraclecloud.com").toString();
      }
    } catch (ConfigException e) {
      return fail(ExitCodes.USAGE, e.getMessage());
    }

    Set<Cloud> clouds = EnumSet.noneOf(Cloud.class);
    if (aws) {
      clouds.add(Cloud.AWS);
    }
    if (gcp) {
      clouds.add(Cloud.GCP);
    }
    if (azure) {
      clouds.add(Cloud.AZURE);
    }
    if (oci) {
      clouds.add(Cloud.OCI);
    }
    Verifier.Outcome outcome;
    try {
      outcome = new Verifier(cas, Clock.systemUTC()).inspect(issuer, clouds.isEmpty() ? Cloud.all() : clouds, null, null);
    } catch (GeneralSecurityException e) {
      return fail(ExitCodes.FAILURE, "cannot set up TLS: " + e.getMessage());
    }
    IssuerFacts facts = IssuerFacts.from(issuer, outcome);

    List<CheckResult> checks = new ArrayList<>();
    if (aws) {
      try (IamClient iam = awsClient(awsEndpoint)) {
        checks.addAll(TrustProbe.aws(new IamGateway(iam)).run(facts));
      }
    }
    if (gcp) {
      JsonHttp http = new JsonHttp(CloudAuth.google(gcpCredentials));
      checks.addAll(TrustProbe.gcp(new GcpSetup(http, null, gcpEndpoint.toString()), gcpTarget).run(facts));
    }
    if (azure) {
      JsonHttp http = new JsonHttp(CloudAuth.azure(azureCredential, arm));
      checks.addAll(TrustProbe.azure(new AzureSetup(http, null, arm.toString()), azureTarget).run(facts));
    }
    if (oci) {
      checks.addAll(ociChecks(domain, facts));
    }
    StatusReport report = new StatusReport(outcome.report(), checks);
    PrintWriter out = spec.commandLine().getOut();
    out.print(json ? StatusRender.json(report) : StatusRender.text(report));
    out.flush();
    return report.passed() ? ExitCodes.OK : ExitCodes.FAILURE;
  }

  private List<CheckResult> ociChecks(String domain, IssuerFacts facts) {
    try {
      JsonHttp http = new JsonHttp(CloudAuth.oci(ociAuth, ociConfig, ociProfile));
      return TrustProbe.oci(new OciSetup(http, null, domain), domain).run(facts);
    } catch (SetupException e) {
      // No usable key at all: the same one line as any other access problem.
      return List.of(CheckResult.fail("oci.access", e.getMessage(), TrustProbe.accessFix(Cloud.OCI)).forCloud(Cloud.OCI));
    }
  }

  private IamClient awsClient(URI endpoint) {
    IamClientBuilder b = IamClient.builder()
        .region(Region.of(region.strip()))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .credentialsProvider(awsCredentials != null ? awsCredentials : DefaultCredentialsProvider.builder().build());
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }

  /** A cloud's flags without its switch are a mistake worth naming (e.g. --project without --gcp). */
  private static void onlyWith(SetupFlags flags, boolean on, String cloudFlag, String... valueAndName)
      throws ConfigException {
    if (on) {
      return;
    }
    for (int i = 0; i < valueAndName.length; i += 2) {
      if (SetupFlags.optional(valueAndName[i]) != null) {
        throw new ConfigException(flags.flag(valueAndName[i + 1]), "is for " + cloudFlag + "; add " + cloudFlag
            + " to check that cloud, or leave " + valueAndName[i + 1] + " out");
      }
    }
  }

  private static String azureName(SetupFlags flags, String name, String value, String hint) throws ConfigException {
    String v = flags.required(name, value, hint);
    if (!v.matches(SetupAzureCommand.SEGMENT)) {
      throw new ConfigException(flags.flag(name), "'" + v + "' is not a valid Azure name; " + hint);
    }
    return v;
  }

  private int fail(int code, String message) {
    spec.commandLine().getErr().println("kubeassume status: " + message);
    spec.commandLine().getErr().flush();
    return code;
  }
}
