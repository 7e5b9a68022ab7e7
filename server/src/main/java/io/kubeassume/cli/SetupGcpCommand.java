package io.kubeassume.cli;

import com.google.auth.oauth2.GoogleCredentials;
import io.kubeassume.config.ConfigException;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.setup.JsonHttp;
import io.kubeassume.setup.SetupException;
import io.kubeassume.setup.SetupOutput;
import io.kubeassume.gcp.UploadedJwks;
import io.kubeassume.setup.gcp.GcpRequest;
import io.kubeassume.setup.gcp.GcpSetup;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "gcp", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Creates or updates the workload identity pool and its OIDC provider for the issuer (google.subject="
            + "assertion.sub, attribute.namespace, attribute.service_account), and prints the principal:// and "
            + "principalSet:// members and the gcloud grant.",
        "Credentials: Google Application Default Credentials.",
        "Exit code 0: done (or --dry-run printed the calls); 1: a call failed or was refused; 2: a wrong flag.",
        "Every flag has an environment twin: --issuer-url is also KUBEASSUME_ISSUER_URL."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  kubeassume setup gcp --issuer-url https://oidc.example.com --project my-project \\",
        "      --pool-id k8s-pool --provider-id cluster-a --namespace backend --service-account app"})
final class SetupGcpCommand implements Callable<Integer> {
  static final String ID = "[a-z0-9-]{4,32}";

  @Spec
  CommandSpec spec;

  @Option(names = "--issuer-url", paramLabel = "URL",
      description = "The issuer exactly as in the tokens' iss (https). Required. Env: KUBEASSUME_ISSUER_URL")
  String issuerUrl;

  @Option(names = "--project", paramLabel = "ID", description = "Project ID (or number). Required. Env: KUBEASSUME_PROJECT")
  String project;

  @Option(names = "--pool-id", paramLabel = "ID", description = "Workload identity pool ID. Required. Env: KUBEASSUME_POOL_ID")
  String poolId;

  @Option(names = "--provider-id", paramLabel = "ID",
      description = "OIDC provider ID in the pool. Required. Env: KUBEASSUME_PROVIDER_ID")
  String providerId;

  @Option(names = "--audience", paramLabel = "AUD", split = ",",
      description = "Allowed token audience; repeatable, at most 10. Default: none, so tokens must carry the "
          + "provider's resource name as audience. Env: KUBEASSUME_AUDIENCE (comma-separated)")
  List<String> audiences = new ArrayList<>();

  @Option(names = "--attribute-condition", paramLabel = "CEL",
      description = "CEL condition every token must meet, e.g. assertion['kubernetes.io']['namespace'] in ['backend']. "
          + "Env: KUBEASSUME_ATTRIBUTE_CONDITION")
  String attributeCondition;

  @Option(names = "--jwks-file", paramLabel = "FILE",
      description = "Upload this JWKS into the provider (for issuers that are not public; at most 8 keys), e.g. "
          + "the output of 'kubeassume jwks'. Env: KUBEASSUME_JWKS_FILE")
  String jwksFile;

  @Option(names = "--namespace", paramLabel = "NS", description = "Print principals for this namespace. Env: KUBEASSUME_NAMESPACE")
  String namespace;

  @Option(names = "--service-account", paramLabel = "SA",
      description = "Print the principal of this service account. Env: KUBEASSUME_SERVICE_ACCOUNT")
  String serviceAccount;

  @Option(names = "--project-number", paramLabel = "N",
      description = "Project number, for --dry-run output (a real run reads it). Env: KUBEASSUME_PROJECT_NUMBER")
  String projectNumber;

  @Option(names = "--iam-endpoint", paramLabel = "URL", defaultValue = "https://iam.googleapis.com",
      description = "IAM API endpoint. Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_IAM_ENDPOINT")
  String iamEndpoint;

  @Option(names = "--dry-run", description = "Print the calls a real run makes; send none. Env: KUBEASSUME_DRY_RUN")
  boolean dryRun;

  /** Credentials; tests put a fixed token here. Null means Application Default Credentials. */
  GoogleCredentials credentials;

  @Override
  public Integer call() {
    SetupFlags flags = new SetupFlags(spec);
    GcpRequest req;
    URI iam;
    try {
      IssuerUrl issuer = flags.issuer(issuerUrl, true);
      String proj = project(flags, project);
      String pool = id(flags, "--pool-id", poolId);
      String prov = id(flags, "--provider-id", providerId);
      List<String> auds = SetupFlags.nonBlank(audiences);
      if (auds.size() > 10 || auds.stream().anyMatch(a -> a.length() > 256)) {
        throw new ConfigException(flags.flag("--audience"), "GCP allows at most 10 audiences of at most 256 characters");
      }
      String condition = SetupFlags.optional(attributeCondition);
      if (condition != null && condition.length() > 4096) {
        throw new ConfigException(flags.flag("--attribute-condition"), "is longer than GCP's 4096 characters");
      }
      String[] subject = flags.subject(namespace, serviceAccount, false, "");
      String number = SetupFlags.optional(projectNumber);
      if (number == null && proj.matches("[0-9]+")) {
        number = proj;
      }
      if (number != null && !number.matches("[0-9]+")) {
        throw new ConfigException(flags.flag("--project-number"), "'" + number + "' is not a number");
      }
      iam = flags.url("--iam-endpoint", flags.required("--iam-endpoint", iamEndpoint, "e.g. https://iam.googleapis.com"),
          "https://iam.googleapis.com");
      req = new GcpRequest(issuer.value(), proj, number, pool, prov, auds, condition, jwks(flags), subject[0], subject[1]);
    } catch (ConfigException e) {
      return fail(ExitCodes.USAGE, e.getMessage());
    }
    SetupOutput out = new SetupOutput(spec.commandLine().getOut(), dryRun);
    try {
      JsonHttp http = dryRun ? null : new JsonHttp(CloudAuth.google(credentials));
      new GcpSetup(http, out, iam.toString()).run(req);
      return ExitCodes.OK;
    } catch (SetupException e) {
      return fail(ExitCodes.FAILURE, e.getMessage());
    }
  }

  private String jwks(SetupFlags flags) throws ConfigException {
    String f = SetupFlags.optional(jwksFile);
    if (f == null) {
      return null;
    }
    String text;
    try {
      text = Files.readString(Path.of(f));
    } catch (IOException e) {
      throw new ConfigException(flags.flag("--jwks-file"), "cannot read " + f + " (" + e.getMessage() + "); "
          + "make one with 'kubeassume jwks --keys sa.pub > jwks.json'");
    }
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException e) {
      throw new ConfigException(flags.flag("--jwks-file"), f + " is not JSON; give a JWKS ({\"keys\":[...]})");
    }
    String problem = UploadedJwks.problem(json);
    if (problem != null) {
      throw new ConfigException(flags.flag("--jwks-file"), f + " " + problem);
    }
    return json.encode();
  }

  /** A project ID or number; shared with status. */
  static String project(SetupFlags flags, String value) throws ConfigException {
    String proj = flags.required("--project", value, "the GCP project ID, e.g. --project my-project");
    if (!proj.matches("[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]+")) {
      throw new ConfigException(flags.flag("--project"), "'" + proj + "' is not a project ID or number");
    }
    return proj;
  }

  /** A pool or provider ID; shared with status. */
  static String id(SetupFlags flags, String name, String value) throws ConfigException {
    String v = flags.required(name, value, "4-32 lower-case letters, digits and '-', e.g. " + name + " kubeassume");
    if (!v.matches(ID) || v.startsWith("gcp-")) {
      throw new ConfigException(flags.flag(name), "'" + v + "' must be 4-32 lower-case letters, digits and '-', "
          + "not starting with gcp-");
    }
    return v;
  }

  private int fail(int code, String message) {
    spec.commandLine().getErr().println("kubeassume setup gcp: " + message);
    spec.commandLine().getErr().flush();
    return code;
  }
}
