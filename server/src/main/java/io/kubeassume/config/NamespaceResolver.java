package io.kubeassume.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The namespace of the ConfigMap and the Lease when --leader-election-namespace is not given:
 * the pod's own namespace (the downward API's POD_NAMESPACE, else the service account's
 * namespace file), else the kubeconfig context's namespace.
 */
public final class NamespaceResolver {
  public static final Path IN_CLUSTER_NAMESPACE_FILE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/namespace");

  private final Map<String, String> env;
  private final Path namespaceFile;
  private final Supplier<String> kubeconfigNamespace;

  public NamespaceResolver(Map<String, String> env, Path namespaceFile, Supplier<String> kubeconfigNamespace) {
    this.env = env;
    this.namespaceFile = namespaceFile;
    this.kubeconfigNamespace = kubeconfigNamespace;
  }

  /** @throws ConfigException naming --leader-election-namespace if no namespace is found */
  public String resolve(String flagValue) throws ConfigException {
    if (flagValue != null && !flagValue.isBlank()) {
      return check(flagValue.strip());
    }
    String podNamespace = env.get("POD_NAMESPACE");
    if (podNamespace != null && !podNamespace.isBlank()) {
      return check(podNamespace.strip());
    }
    if (Files.isReadable(namespaceFile)) {
      try {
        String fromFile = Files.readString(namespaceFile).strip();
        if (!fromFile.isEmpty()) {
          return check(fromFile);
        }
      } catch (IOException e) {
        // fall through to the kubeconfig
      }
    }
    String fromKubeconfig = kubeconfigNamespace.get();
    if (fromKubeconfig != null && !fromKubeconfig.isBlank()) {
      return check(fromKubeconfig.strip());
    }
    throw new ConfigException("--leader-election-namespace", "is not set and no namespace was found (no POD_NAMESPACE, "
        + "no in-cluster " + namespaceFile + ", no namespace in the kubeconfig context); name the namespace of the "
        + "ConfigMap and Lease, e.g. --leader-election-namespace kubeassume (or KUBEASSUME_LEADER_ELECTION_NAMESPACE)");
  }

  private static String check(String namespace) throws ConfigException {
    if (!ResourceNames.isDnsLabel(namespace)) {
      throw new ConfigException("--leader-election-namespace", "'" + namespace + "' is not a namespace name "
          + "(lower-case letters, digits and '-', at most 63)");
    }
    return namespace;
  }
}
