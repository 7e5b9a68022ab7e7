package io.kubeassume.packaging;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files at the repository root, which this module tests (its own basedir is packaging/). */
final class Repo {
  private Repo() {
  }

  static Path root() {
    String configured = System.getProperty("kubeassume.root");
    Path root = (configured != null ? Path.of(configured) : Path.of("..")).toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("deploy/helm/kubeassume/Chart.yaml"))) {
      throw new IllegalStateException("not the repository root (no deploy/helm/kubeassume/Chart.yaml): " + root);
    }
    return root;
  }

  static Path chart() {
    return root().resolve("deploy/helm/kubeassume");
  }

  static Path file(String relative) {
    return root().resolve(relative);
  }
}
