package io.kubeassume.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "kubeassume",
    mixinStandardHelpOptions = true,
    versionProvider = KubeassumeCommand.Version.class,
    description = "Serves a Kubernetes cluster's OIDC discovery document and JWKS publicly, so cloud IAM "
        + "(AWS, GCP, Azure, OCI) can trust its service-account tokens.",
    subcommands = {ServeCommand.class, JwksCommand.class, VerifyCommand.class, SetupCommand.class, StatusCommand.class})
public final class KubeassumeCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The configured command line: environment twins, one-line errors. */
  public static CommandLine commandLine(Map<String, String> env) {
    EnvironmentDefaults defaults = new EnvironmentDefaults(env);
    CommandLine cmd = new CommandLine(new KubeassumeCommand(), new Factory(defaults));
    cmd.setDefaultValueProvider(defaults);
    cmd.setParameterExceptionHandler(KubeassumeCommand::oneLineError);
    return cmd;
  }

  /** "kubeassume serve: Unknown option: '--prot'" and nothing else, so the cause is not buried in usage text. */
  private static int oneLineError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage()
        + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
    err.flush();
    return ExitCodes.USAGE;
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
