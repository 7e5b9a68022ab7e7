package io.kubeassume.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "setup", mixinStandardHelpOptions = true,
    description = {
        "Creates (or updates) the cloud's trust in this issuer: AWS IAM OIDC provider and role, GCP workload "
            + "identity pool and provider, Azure federated identity credential, OCI identity propagation trust.",
        "Idempotent: a second run changes nothing. --dry-run prints the calls and sends none. "
            + "Credentials come from each cloud SDK's default chain."},
    subcommands = {SetupAwsCommand.class, SetupAzureCommand.class, SetupGcpCommand.class, SetupOciCommand.class,
        CommandLine.HelpCommand.class},
    footerHeading = "%nExamples:%n",
    footer = {
        "  kubeassume setup aws --issuer-url https://oidc.example.com --dry-run",
        "  kubeassume setup help gcp"})
final class SetupCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  /** No cloud named: the usage on stderr and exit code 2. */
  @Override
  public Integer call() {
    return ExitCodes.usage(spec);
  }
}
