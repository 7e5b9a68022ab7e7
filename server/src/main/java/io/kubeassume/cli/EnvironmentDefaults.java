package io.kubeassume.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every flag's environment twin: {@code --issuer-url} reads {@code KUBEASSUME_ISSUER_URL} when the
 * flag is not given. Repeatable flags take a comma-separated list. A flag on the command line wins.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {
  private final Map<String, String> env;

  EnvironmentDefaults(Map<String, String> env) {
    this.env = env;
  }

  static String variableFor(String longFlag) {
    return "KUBEASSUME_" + longFlag.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  /** A plain environment variable (POD_NAME, POD_NAMESPACE, KUBECONFIG, HOSTNAME), or null. */
  String get(String name) {
    String value = env.get(name);
    return value == null || value.isEmpty() ? null : value;
  }

  java.util.Map<String, String> variables() {
    return env;
  }

  /** The variable that supplies this flag's value, or null. */
  String suppliedBy(String longFlag) {
    String name = variableFor(longFlag);
    String value = env.get(name);
    return value == null || value.isEmpty() ? null : name;
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
      return null;
    }
    String name = suppliedBy(option.longestName());
    return name == null ? null : env.get(name);
  }
}
