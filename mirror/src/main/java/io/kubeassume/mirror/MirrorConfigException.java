package io.kubeassume.mirror;

/**
 * A mirror cannot be set up because of a flag value (unsupported scheme, no region...). The server
 * turns it into its one-line start-up error naming {@link #flag()}.
 */
public final class MirrorConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String flag;
  private final String problem;

  public MirrorConfigException(String flag, String problem) {
    super(flag + ": " + problem);
    this.flag = flag;
    this.problem = problem;
  }

  /** The flag to change, e.g. {@code --mirror}. */
  public String flag() {
    return flag;
  }

  /** What is wrong and how to fix it, without the flag name. */
  public String problem() {
    return problem;
  }
}
