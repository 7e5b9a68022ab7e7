package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The objects `helm template` produced, parsed into fabric8's typed model. */
final class Rendered {
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  final String yaml;
  final List<HasMetadata> objects;

  private Rendered(String yaml, List<HasMetadata> objects) {
    this.yaml = yaml;
    this.objects = objects;
  }

  static Rendered parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
      boolean empty = document.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"));
      if (!empty) {
        objects.add(Serialization.unmarshal(document));
      }
    }
    return new Rendered(yaml, objects);
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
    return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
  }

  <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = all(type);
    assertEquals(1, found.size(), () -> "expected exactly one " + type.getSimpleName() + ", got " + found.size());
    return found.get(0);
  }

  /** "Kind/name" of every object, in output order. */
  List<String> kindsAndNames() {
    return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).collect(Collectors.toList());
  }

  Deployment deployment() {
    return one(Deployment.class);
  }

  PodSpec pod() {
    return deployment().getSpec().getTemplate().getSpec();
  }

  Container container() {
    List<Container> containers = pod().getContainers();
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  /** Plain-value environment variables of the container (downward-API ones map to null). */
  Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar v : container().getEnv()) {
      env.put(v.getName(), v.getValue());
    }
    return env;
  }
}
