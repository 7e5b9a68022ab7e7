package io.kubeassume.cli;

import picocli.CommandLine.Model.CommandSpec;

/**
 * Exit codes of the kubeassume executable, the same for every command (docs/configuration.md#exit-codes):
 * 0 done; 1 the command ran and failed (a key refused by the key policy, a port in use, a failed check,
 * a cloud call refused); 2 the command line or environment is wrong (no command, an unknown command or
 * flag, a missing or malformed value, flags that do not go together, a file named by a flag that does not
 * exist, cannot be read or is not the kind of file the flag takes, no cluster to talk to).
 */
final class ExitCodes {
  static final int OK = 0;
  /** The command ran and failed. */
  static final int FAILURE = 1;
  /** The command line or environment is wrong. */
  static final int USAGE = 2;

  private ExitCodes() {}

  /** An incomplete command line (no command given): its usage on stderr, exit code 2. */
  static int usage(CommandSpec spec) {
    spec.commandLine().usage(spec.commandLine().getErr());
    spec.commandLine().getErr().flush();
    return USAGE;
  }
}
