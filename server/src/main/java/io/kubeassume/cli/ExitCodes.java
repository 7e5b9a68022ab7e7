package io.kubeassume.cli;

/** Exit codes of the kubeassume executable. */
final class ExitCodes {
  static final int OK = 0;
  /** Something failed at run time (a port in use, invalid keys for the jwks command). */
  static final int FAILURE = 1;
  /** A wrong flag or environment value. */
  static final int USAGE = 2;

  private ExitCodes() {}
}
