package io.kubeassume.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine;

/** Runs {@code kubeassume setup CLOUD ...} through the real command line, with test credentials put in first. */
final class SetupCli {
  record Result(int exit, String out, String err) {}

  private SetupCli() {}

  @SuppressWarnings("unchecked")
  static <T> Result run(Map<String, String> env, String cloud, Consumer<T> configure, String... args) {
    CommandLine cmd = KubeassumeCommand.commandLine(env);
    T command = (T) cmd.getSubcommands().get("setup").getSubcommands().get(cloud).getCommand();
    configure.accept(command);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    String[] full = new String[args.length + 2];
    full[0] = "setup";
    full[1] = cloud;
    System.arraycopy(args, 0, full, 2, args.length);
    int exit = cmd.execute(full);
    return new Result(exit, out.toString(), err.toString());
  }
}
