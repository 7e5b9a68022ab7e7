package io.kubeassume.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "setup", mixinStandardHelpOptions = true,
    description = {
        "Creates (or updates) the cloud's trust in this issuer: AWS IAM OIDC provider and role, GCP workload "
            + "identity pool and provider, Azure federated identity credential, OCI identity propagation trust.",
        "Idempotent: a second run changes nothing. --dry-run prints the calls and sends none. "
            + "Credentials come from each cloud SDK's default chain."},
    subcommands = {SetupAwsCommand.class, SetupAzureCommand.class, SetupGcpCommand.class, SetupOciCommand.class})
final class SetupCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
