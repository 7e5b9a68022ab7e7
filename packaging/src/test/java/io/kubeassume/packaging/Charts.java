package io.kubeassume.packaging;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Renders the chart with helm-java (Helm's own Go code through a native library; no helm binary). */
final class Charts {
  static final String RELEASE = "kubeassume";
  static final String NAMESPACE = "kubeassume";
  static final String ISSUER = "https://oidc.example.com";

  private Charts() {
  }

  /** Renders with the chart's defaults plus the issuer (the one required value) and these YAML values. */
  static Rendered render(String valuesYaml) {
    return Rendered.parse(template(valuesYaml));
  }

  /** Renders with exactly these values (no issuer added), e.g. a fleet's. */
  static Rendered renderExactly(String valuesYaml) {
    return Rendered.parse(templateExactly(valuesYaml));
  }

  /** The NOTES.txt an install with these values (no issuer added) prints; nothing is installed. */
  static String notes(String valuesYaml) {
    Path values = writeValues(valuesYaml);
    try {
      return new Helm(Repo.chart()).install().withName(RELEASE).withNamespace(NAMESPACE).withValuesFile(values)
          .dryRun().clientOnly().call().getOutput();
    } finally {
      delete(values);
    }
  }

  static String template(String valuesYaml) {
    Path values = writeValues("issuerUrl: " + ISSUER + "\n" + valuesYaml);
    try {
      return templateWithFile(values);
    } finally {
      delete(values);
    }
  }

  /** Renders with exactly these values (no issuer added); throws Helm's error if rendering fails. */
  static String templateExactly(String valuesYaml) {
    Path values = writeValues(valuesYaml);
    try {
      return templateWithFile(values);
    } finally {
      delete(values);
    }
  }

  static String templateWithFile(Path values) {
    TemplateCommand command = new Helm(Repo.chart()).template()
        .withName(RELEASE)
        .withNamespace(NAMESPACE);
    if (values != null) {
      command = command.withValuesFile(values);
    }
    return command.call();
  }

  private static Path writeValues(String yaml) {
    try {
      Path file = Files.createTempFile("kubeassume-values-", ".yaml");
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a temp file
    }
  }
}
