package io.kubeassume.cli;

import io.kubeassume.config.ConfigException;
import io.kubeassume.config.ServeConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Test bridge from the packaging tests to the real {@code kubeassume} command line: the same
 * picocli parsing, environment twins and checks the container runs at start-up, stopping short of
 * starting the server. Lives in the CLI's package (test sources only) because ServeCommand and its
 * checks are package-private.
 */
public final class ServeParsing {
  private ServeParsing() {
  }

  /** What {@code kubeassume serve} accepted: the settings it would start with, and the log level and format. */
  public record Accepted(ServeConfig config, String logLevel, String logFormat) {
  }

  /**
   * Parses {@code args} (the container's args, e.g. {@code [serve]}) with {@code env} as the
   * process environment, as {@link Main} does, and runs every start-up check of serve.
   *
   * @throws CommandLine.ParameterException when picocli refuses the arguments (unknown flag, ...)
   * @throws ConfigException when serve refuses a value; the message names the flag and its variable
   */
  public static Accepted serve(Map<String, String> env, List<String> args) throws ConfigException {
    return serve(env, args, null);
  }

  /**
   * As {@link #serve(Map, List)}, in a simulated pod: the in-cluster service account's token is at
   * {@code serviceAccountToken} (where the kubelet would mount it, if it exists) and there is no home kubeconfig.
   */
  public static Accepted serve(Map<String, String> env, List<String> args, Path serviceAccountToken) throws ConfigException {
    CommandLine cmd = KubeassumeCommand.commandLine(env);
    CommandLine.ParseResult parsed = cmd.parseArgs(args.toArray(String[]::new));
    CommandLine.ParseResult sub = parsed.subcommand();
    if (sub == null || !(sub.commandSpec().userObject() instanceof ServeCommand serve)) {
      throw new IllegalArgumentException("the arguments " + args + " do not run 'kubeassume serve'");
    }
    if (serviceAccountToken != null) {
      serve.clusterLocation = new ClusterLocation(new EnvironmentDefaults(env), serviceAccountToken,
          serviceAccountToken.resolveSibling("no-home"));
    }
    return new Accepted(serve.toConfig(), serve.checkedLogLevel(), serve.checkedLogFormat().flagValue());
  }

  /** KUBEASSUME_* variables that some flag of {@code kubeassume serve} reads (its environment twins). */
  public static Set<String> serveVariables() {
    CommandLine serve = KubeassumeCommand.commandLine(Map.of()).getSubcommands().get("serve");
    return serve.getCommandSpec().options().stream()
        .filter(o -> !o.usageHelp() && !o.versionHelp())
        .map(OptionSpec::longestName)
        .map(EnvironmentDefaults::variableFor)
        .collect(Collectors.toUnmodifiableSet());
  }
}
