package io.kubeassume.config;

/** A wrong flag value. The message names the flag and says how to fix it, on one line. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public ConfigException(String flag, String problem) {
    super(flag + ": " + problem);
  }
}
