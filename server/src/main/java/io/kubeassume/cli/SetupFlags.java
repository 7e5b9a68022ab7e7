package io.kubeassume.cli;

import io.kubeassume.config.ConfigException;
import io.kubeassume.document.IssuerUrl;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** Checks shared by the setup commands; errors name the flag, or its environment variable if that set it. */
final class SetupFlags {
  private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
  private static final String DNS_SUBDOMAIN = DNS_LABEL + "(\\." + DNS_LABEL + ")*";
  private final CommandSpec spec;

  SetupFlags(CommandSpec spec) {
    this.spec = spec;
  }

  /** The flag's name, plus the environment variable if that is where the value came from. */
  String flag(String name) {
    boolean onCommandLine = spec.commandLine().getParseResult() != null
        && spec.commandLine().getParseResult().hasMatchedOption(name);
    String variable = null;
    if (!onCommandLine && spec.commandLine().getDefaultValueProvider() instanceof EnvironmentDefaults env) {
      variable = env.suppliedBy(name);
    }
    return variable == null ? name : name + " (from " + variable + ")";
  }

  String required(String name, String value, String hint) throws ConfigException {
    if (value == null || value.isBlank()) {
      throw new ConfigException(name, "is required: " + hint + " (or " + EnvironmentDefaults.variableFor(name) + ")");
    }
    return value.strip();
  }

  /** An AWS region name (aws-global, us-east-1, cn-north-1, ...): the SDK takes any string and fails late. */
  String awsRegion(String value) throws ConfigException {
    String r = required("--region", value, "IAM's signing region, e.g. --region aws-global");
    if (!r.matches("[a-z]{2,}(-[a-z0-9]+)+")) {
      throw new ConfigException(flag("--region"), "'" + r + "' is not an AWS region name; use aws-global, "
          + "or e.g. cn-north-1 or us-gov-west-1 in other partitions");
    }
    return r;
  }

  static String optional(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  IssuerUrl issuer(String value, boolean httpsOnly) throws ConfigException {
    String raw = required("--issuer-url", value, "the issuer URL exactly as tokens carry it in iss, "
        + "e.g. --issuer-url https://oidc.example.com");
    IssuerUrl issuer;
    try {
      issuer = IssuerUrl.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(flag("--issuer-url"), e.getMessage());
    }
    if (httpsOnly && !raw.startsWith("https://")) {
      throw new ConfigException(flag("--issuer-url"), "'" + raw + "' must use https: the cloud fetches it over the internet");
    }
    return issuer;
  }

  /** Namespace and service account go together; both null is allowed unless {@code required}. */
  String[] subject(String namespace, String serviceAccount, boolean required, String why) throws ConfigException {
    String ns = optional(namespace);
    String sa = optional(serviceAccount);
    if (ns == null && sa == null && !required) {
      return new String[] {null, null};
    }
    if (ns == null) {
      throw new ConfigException(flag("--namespace"), "is required " + why + ": the Kubernetes namespace of the "
          + "service account, e.g. --namespace backend");
    }
    if (sa == null) {
      throw new ConfigException(flag("--service-account"), "is required " + why + ": the Kubernetes service account "
          + "name, e.g. --service-account app");
    }
    if (ns.length() > 63 || !ns.matches(DNS_LABEL)) {
      throw new ConfigException(flag("--namespace"), "'" + ns + "' is not a Kubernetes namespace name "
          + "(lower-case letters, digits and '-', at most 63)");
    }
    if (sa.length() > 253 || !sa.matches(DNS_SUBDOMAIN)) {
      throw new ConfigException(flag("--service-account"), "'" + sa + "' is not a Kubernetes service account name "
          + "(lower-case letters, digits, '-' and '.', at most 253)");
    }
    return new String[] {ns, sa};
  }

  /**
   * An http(s) URL with a host, without a trailing slash (paths are appended to it); anything else is refused here,
   * where the flag can be named, rather than by the HTTP client mid-run.
   */
  URI url(String name, String value, String example) throws ConfigException {
    String v = value.strip();
    v = v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
    try {
      URI u = new URI(v);
      if (("https".equals(u.getScheme()) || "http".equals(u.getScheme())) && u.getHost() != null) {
        return u;
      }
    } catch (URISyntaxException ignored) {
      // reported below
    }
    throw new ConfigException(flag(name), "'" + value + "' is not an http(s) URL; use e.g. " + example);
  }

  static List<String> nonBlank(List<String> values) {
    List<String> out = new ArrayList<>();
    if (values != null) {
      for (String v : values) {
        if (v != null && !v.isBlank() && !out.contains(v.strip())) {
          out.add(v.strip());
        }
      }
    }
    return out;
  }
}
