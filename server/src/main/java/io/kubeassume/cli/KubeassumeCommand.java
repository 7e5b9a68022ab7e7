package io.kubeassume.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "kubeassume",
    mixinStandardHelpOptions = true,
    versionProvider = KubeassumeCommand.Version.class,
    description = "Serves a Kubernetes cluster's OIDC discovery document and JWKS publicly, so cloud IAM "
        + "(AWS, GCP, Azure, OCI) can trust its service-account tokens.",
    subcommands = {ServeCommand.class, JwksCommand.class, VerifyCommand.class, SetupCommand.class, StatusCommand.class,
        CommandLine.HelpCommand.class},
    footerHeading = "%nExamples:%n",
    footer = {
        "  kubeassume serve --issuer-url http://localhost:8080 --source files --keys certs/dev/sa.pub",
        "  kubeassume verify --issuer-url https://oidc.example.com --cloud aws,gcp",
        "  kubeassume help serve"})
public final class KubeassumeCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** No command: the usage on stderr and exit code 2, as for any other incomplete command line. */
  @Override
  public Integer call() {
    return ExitCodes.usage(spec);
  }

  /** The configured command line: environment twins, one-line errors with suggestions, the help layout. */
  public static CommandLine commandLine(Map<String, String> env) {
    EnvironmentDefaults defaults = new EnvironmentDefaults(env);
    CommandLine cmd = new CommandLine(new KubeassumeCommand(), new Factory(defaults));
    cmd.setDefaultValueProvider(defaults);
    cmd.setParameterExceptionHandler(ParameterErrors::handle);
    HelpLayout.apply(cmd);
    return cmd;
  }

  /** Gives subcommands the environment they were configured with. */
  private record Factory(EnvironmentDefaults defaults) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      if (type == ServeCommand.class) {
        return type.cast(new ServeCommand(defaults));
      }
      return CommandLine.defaultFactory().create(type);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = KubeassumeCommand.class.getPackage().getImplementationVersion();
      return new String[] {"kubeassume " + (v == null ? "development build" : v)};
    }
  }
}
