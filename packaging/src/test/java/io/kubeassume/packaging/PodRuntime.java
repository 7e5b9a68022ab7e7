package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the kubelet would give the rendered container, on this machine: its environment with the
 * downward API resolved to sample values, and its volumes as directories under a temporary root
 * (Secrets and ConfigMaps filled from the fixtures given). Absolute paths in the environment are
 * moved under that root, so the server's own file checks run against what the pod would see.
 */
final class PodRuntime {
  static final String POD_NAME = "kubeassume-6d5f8b7c9-x2k7q";
  static final String POD_IP = "10.42.0.17";
  static final String NODE_NAME = "node-1";
  /** Where the kubelet mounts the service account's token when the pod does not opt out. */
  static final String SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

  private final Path root;
  private final Container container;
  private final Map<String, String> mounts = new LinkedHashMap<>();
  private final Map<String, String> env = new LinkedHashMap<>();

  /**
   * @param objects files of the Secrets and ConfigMaps the pod mounts, by object name, then file name
   */
  PodRuntime(Rendered rendered, Path root, Map<String, Map<String, String>> objects) {
    this.root = root;
    PodSpec pod = rendered.pod();
    this.container = rendered.container();
    for (VolumeMount m : container.getVolumeMounts()) {
      assertTrue(m.getSubPath() == null || m.getSubPath().isEmpty(), "subPath mounts are not simulated: " + m);
      Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst()
          .orElseThrow(() -> new AssertionError("volume mount " + m.getName() + " has no volume"));
      populate(v, host(m.getMountPath()), objects);
      mounts.put(m.getMountPath(), m.getName());
    }
    for (EnvVar e : container.getEnv()) {
      String value = e.getValueFrom() != null ? resolve(e.getName(), e.getValueFrom()) : e.getValue();
      env.put(e.getName(), value == null ? "" : value);
    }
    if (!Boolean.FALSE.equals(pod.getAutomountServiceAccountToken())) {
      // The kubelet's in-cluster configuration: the API server's service variables and the mounted token.
      env.put("KUBERNETES_SERVICE_HOST", "10.96.0.1");
      env.put("KUBERNETES_SERVICE_PORT", "443");
      try {
        Files.createDirectories(serviceAccountToken().getParent());
        Files.writeString(serviceAccountToken(), "eyJhbGciOiJSUzI1NiJ9.e30.sig");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Where the service account token is on this machine (present only if the pod mounts it). */
  Path serviceAccountToken() {
    return host(SERVICE_ACCOUNT_TOKEN);
  }

  /** The container's environment as the process sees it, with paths on volumes moved under the root. */
  Map<String, String> environment() {
    Map<String, String> out = new LinkedHashMap<>();
    env.forEach((name, value) -> out.put(name, onHost(value)));
    return out;
  }

  /** The container's environment exactly as rendered (downward API resolved). */
  Map<String, String> renderedEnvironment() {
    return env;
  }

  List<String> args() {
    return container.getArgs() == null ? List.of() : container.getArgs();
  }

  /** The volume an absolute container path lies on, if any (the root filesystem is read-only). */
  Optional<String> volumeOf(String containerPath) {
    return mounts.keySet().stream()
        .filter(m -> containerPath.equals(m) || containerPath.startsWith(m.endsWith("/") ? m : m + "/"))
        .max(Comparator.comparingInt(String::length))
        .map(mounts::get);
  }

  /** Where a container path is on this machine. */
  Path host(String containerPath) {
    return root.resolve(containerPath.replaceFirst("^/+", ""));
  }

  /** The container path of a file on this machine (the inverse of {@link #host}). */
  String inContainer(Path hostPath) {
    return "/" + root.relativize(hostPath.toAbsolutePath()).toString().replace('\\', '/');
  }

  /** Comma-separated lists of absolute paths (KUBEASSUME_KEYS) are moved element by element. */
  private String onHost(String value) {
    if (value == null || !value.startsWith("/")) {
      return value;
    }
    List<String> parts = new ArrayList<>();
    for (String part : value.split(",", -1)) {
      parts.add(part.startsWith("/") && volumeOf(part).isPresent() ? host(part).toString() : part);
    }
    return String.join(",", parts);
  }

  private static String resolve(String name, EnvVarSource source) {
    if (source.getFieldRef() != null) {
      return switch (source.getFieldRef().getFieldPath()) {
        case "metadata.namespace" -> Charts.NAMESPACE;
        case "metadata.name" -> POD_NAME;
        case "status.podIP" -> POD_IP;
        case "spec.nodeName" -> NODE_NAME;
        default -> throw new AssertionError(name + ": downward-API field " + source.getFieldRef().getFieldPath()
            + " is not simulated");
      };
    }
    if (source.getSecretKeyRef() != null) {
      return "secret-" + source.getSecretKeyRef().getKey();
    }
    if (source.getConfigMapKeyRef() != null) {
      return "configmap-" + source.getConfigMapKeyRef().getKey();
    }
    throw new AssertionError(name + ": value source " + source + " is not simulated");
  }

  private static void populate(Volume v, Path dir, Map<String, Map<String, String>> objects) {
    try {
      Files.createDirectories(dir);
      if (v.getSecret() != null) {
        write(dir, files(objects, "Secret", v.getSecret().getSecretName()), v.getSecret().getItems());
      } else if (v.getConfigMap() != null) {
        write(dir, files(objects, "ConfigMap", v.getConfigMap().getName()), v.getConfigMap().getItems());
      } else if (v.getProjected() != null) {
        for (VolumeProjection p : v.getProjected().getSources()) {
          if (p.getServiceAccountToken() != null) {
            Files.writeString(dir.resolve(p.getServiceAccountToken().getPath()), "eyJhbGciOiJSUzI1NiJ9.e30.sig");
          }
        }
      } else if (v.getEmptyDir() == null && v.getPersistentVolumeClaim() == null) {
        throw new AssertionError("volume " + v.getName() + " of a kind that is not simulated: " + v);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> files(Map<String, Map<String, String>> objects, String kind, String name) {
    Map<String, String> files = objects.get(name);
    if (files == null) {
      throw new AssertionError("the pod mounts " + kind + " " + name + ", which the test does not provide");
    }
    return files;
  }

  private static void write(Path dir, Map<String, String> files, List<KeyToPath> items) throws IOException {
    if (items == null || items.isEmpty()) {
      for (Map.Entry<String, String> f : files.entrySet()) {
        Files.writeString(dir.resolve(f.getKey()), f.getValue());
      }
      return;
    }
    for (KeyToPath item : items) {
      String content = files.get(item.getKey());
      if (content == null) {
        throw new AssertionError("the pod mounts key " + item.getKey() + ", which the object does not have");
      }
      Path file = dir.resolve(item.getPath());
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    }
  }
}
