package io.kubeassume.cli;

import io.fabric8.kubernetes.client.Config;
import java.io.File;
import java.nio.file.Path;

/** The namespace of a kubeconfig's current context, or null; never fails start-up by itself. */
final class KubeconfigNamespace {
  private KubeconfigNamespace() {}

  /** @param kubeconfigVariable the KUBECONFIG variable (a path list; the first file that exists counts) */
  static String of(Path kubeconfigFlag, String kubeconfigVariable) {
    File file = kubeconfigFlag != null ? kubeconfigFlag.toFile() : fromVariable(kubeconfigVariable);
    if (file == null || !file.isFile()) {
      return null;
    }
    try {
      return Config.fromKubeconfig(file).getNamespace();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static File fromVariable(String variable) {
    if (variable != null) {
      for (String entry : variable.split(File.pathSeparator)) {
        if (!entry.isBlank() && new File(entry).isFile()) {
          return new File(entry);
        }
      }
      return null;
    }
    File home = new File(System.getProperty("user.home"), ".kube/config");
    return home.isFile() ? home : null;
  }
}
