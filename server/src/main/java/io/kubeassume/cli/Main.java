package io.kubeassume.cli;

/** Entry point of the kubeassume executable. */
public final class Main {
  private Main() {}

  /** Logging needs no set-up here: io.kubeassume.logging writes one line per event to stderr until serve configures it. */
  public static void main(String[] args) {
    System.exit(KubeassumeCommand.commandLine(System.getenv()).execute(args));
  }
}
