package io.kubeassume.cli;

import com.azure.core.credential.TokenCredential;
import io.kubeassume.config.ConfigException;
import io.kubeassume.document.IssuerUrl;
import io.kubeassume.setup.JsonHttp;
import io.kubeassume.setup.SetupException;
import io.kubeassume.setup.SetupOutput;
import io.kubeassume.setup.azure.AzureCredential;
import io.kubeassume.setup.azure.AzurePlanner;
import io.kubeassume.setup.azure.AzureSetup;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "azure", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Creates or updates the federated identity credential on a user-assigned managed identity that trusts "
            + "system:serviceaccount:NS:SA from the issuer (audience api://AzureADTokenExchange).",
        "Credentials: azure-identity's DefaultAzureCredential (environment, workload identity, managed identity, "
            + "az login).",
        "Exit code 0: done (or --dry-run printed the calls); 1: a call failed or was refused; 2: a wrong flag.",
        "Every flag has an environment twin: --issuer-url is also KUBEASSUME_ISSUER_URL."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  kubeassume setup azure --issuer-url https://oidc.example.com --subscription S \\",
        "      --resource-group rg --identity app-identity --namespace backend --service-account app"})
final class SetupAzureCommand implements Callable<Integer> {
  static final String SEGMENT = "[A-Za-z0-9._()-]{1,90}";

  @Spec
  CommandSpec spec;

  @Option(names = "--issuer-url", paramLabel = "URL",
      description = "The issuer exactly as in the tokens' iss (https). Required. Env: KUBEASSUME_ISSUER_URL")
  String issuerUrl;

  @Option(names = "--subscription", paramLabel = "ID",
      description = "Subscription ID of the identity. Required. Env: KUBEASSUME_SUBSCRIPTION")
  String subscription;

  @Option(names = "--resource-group", paramLabel = "NAME",
      description = "Resource group of the identity. Required. Env: KUBEASSUME_RESOURCE_GROUP")
  String resourceGroup;

  @Option(names = "--identity", paramLabel = "NAME",
      description = "Name of the user-assigned managed identity. Required. Env: KUBEASSUME_IDENTITY")
  String identity;

  @Option(names = "--namespace", paramLabel = "NS",
      description = "Namespace of the service account. Required. Env: KUBEASSUME_NAMESPACE")
  String namespace;

  @Option(names = "--service-account", paramLabel = "SA",
      description = "Service account trusted. Required. Env: KUBEASSUME_SERVICE_ACCOUNT")
  String serviceAccount;

  @Option(names = "--credential-name", paramLabel = "NAME",
      description = "Name of the federated credential. Default: kubeassume-NS-SA. Env: KUBEASSUME_CREDENTIAL_NAME")
  String credentialName;

  @Option(names = "--audience", paramLabel = "AUD", defaultValue = AzurePlanner.AUDIENCE,
      description = "Token audience (sovereign clouds differ). Default: ${DEFAULT-VALUE}. Env: KUBEASSUME_AUDIENCE")
  String audience;

  @Option(names = "--arm-endpoint", paramLabel = "URL", defaultValue = "https://management.azure.com",
      description = "Azure Resource Manager endpoint (sovereign clouds differ). Default: ${DEFAULT-VALUE}. "
          + "Env: KUBEASSUME_ARM_ENDPOINT")
  String armEndpoint;

  @Option(names = "--dry-run", description = "Print the calls a real run makes; send none. Env: KUBEASSUME_DRY_RUN")
  boolean dryRun;

  /** Credentials; tests put a fixed token here. Null means DefaultAzureCredential. */
  TokenCredential credential;

  @Override
  public Integer call() {
    SetupFlags flags = new SetupFlags(spec);
    String sub;
    String group;
    String id;
    AzureCredential wanted;
    URI arm;
    try {
      IssuerUrl issuer = flags.issuer(issuerUrl, true);
      if (issuer.value().length() > 600) {
        throw new ConfigException(flags.flag("--issuer-url"), "is longer than Azure's 600 characters");
      }
      sub = segment(flags, "--subscription", subscription, "the subscription ID, e.g. --subscription "
          + "00000000-0000-0000-0000-000000000000");
      group = segment(flags, "--resource-group", resourceGroup, "the identity's resource group, e.g. --resource-group rg");
      id = segment(flags, "--identity", identity, "the user-assigned identity's name, e.g. --identity app-identity");
      String[] subject = flags.subject(namespace, serviceAccount, true, "for Azure");
      String name = SetupFlags.optional(credentialName);
      if (name == null) {
        name = AzurePlanner.defaultName(subject[0], subject[1]);
      } else if (!name.matches("[A-Za-z0-9][A-Za-z0-9_-]{2,119}")) {
        throw new ConfigException(flags.flag("--credential-name"), "'" + name + "' is not a credential name "
            + "(3-120 letters, digits, '-' and '_', starting with a letter or digit)");
      }
      String aud = flags.required("--audience", audience, "the token audience, e.g. " + AzurePlanner.AUDIENCE);
      arm = flags.url("--arm-endpoint", flags.required("--arm-endpoint", armEndpoint, "e.g. https://management.azure.com"),
          "https://management.azure.com");
      wanted = new AzureCredential(name, issuer.value(), "system:serviceaccount:" + subject[0] + ":" + subject[1],
          List.of(aud));
    } catch (ConfigException e) {
      return fail(ExitCodes.USAGE, e.getMessage());
    }
    SetupOutput out = new SetupOutput(spec.commandLine().getOut(), dryRun);
    try {
      JsonHttp http = dryRun ? null : new JsonHttp(CloudAuth.azure(credential, arm));
      new AzureSetup(http, out, arm.toString()).run(sub, group, id, wanted);
      return ExitCodes.OK;
    } catch (SetupException e) {
      return fail(ExitCodes.FAILURE, e.getMessage());
    }
  }

  private String segment(SetupFlags flags, String name, String value, String hint) throws ConfigException {
    String v = flags.required(name, value, hint);
    if (!v.matches(SEGMENT)) {
      throw new ConfigException(flags.flag(name), "'" + v + "' is not a valid Azure name; " + hint);
    }
    return v;
  }

  private int fail(int code, String message) {
    spec.commandLine().getErr().println("kubeassume setup azure: " + message);
    spec.commandLine().getErr().flush();
    return code;
  }
}
