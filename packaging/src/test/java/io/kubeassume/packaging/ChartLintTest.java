package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartLintTest {
  @Test
  void chartLintsCleanlyInStrictModeOnceTheIssuerIsSet(@TempDir Path tmp) throws IOException {
    // helm lint takes no values file, so lint a copy whose values.yaml sets the one required value.
    Path copy = copyChart(tmp);
    Path values = copy.resolve("values.yaml");
    String original = Files.readString(values);
    String withIssuer = original.replaceFirst("(?m)^issuerUrl: \"\"$", "issuerUrl: " + Charts.ISSUER);
    assertFalse(original.equals(withIssuer), "values.yaml should have a top-level `issuerUrl: \"\"` line");
    Files.writeString(values, withIssuer);

    LintResult result = new Helm(copy).lint().strict().call();

    assertFalse(result.isFailed(), () -> "helm lint --strict failed: " + result.getMessages());
  }

  @Test
  void aFleetLintsCleanlyInStrictMode(@TempDir Path tmp) throws IOException {
    Path copy = copyChart(tmp);
    Path values = copy.resolve("values.yaml");
    String original = Files.readString(values);
    String fleet = original
        .replaceFirst("(?m)^(fleet:\n(?:  #.*\n)*  enabled: )false$", "$1true")
        .replaceFirst("(?m)^(  watchNamespaces: )\\[]$", "$1[team-a]")
        .replaceFirst("(?m)^(  issuerUrlPrefixes: )\\[]$", "$1[https://oidc.example.com/clusters/]");
    assertTrue(java.util.regex.Pattern.compile("(?m)^fleet:\n(?:  #.*\n)*  enabled: true$").matcher(fleet).find()
            && !fleet.contains("watchNamespaces: []") && !fleet.contains("issuerUrlPrefixes: []"),
        "values.yaml should have fleet.enabled, fleet.watchNamespaces and fleet.issuerUrlPrefixes lines");
    Files.writeString(values, fleet.replace("ingress:\n  enabled: false", "ingress:\n  enabled: true"));

    LintResult result = new Helm(copy).lint().strict().call();

    assertFalse(result.isFailed(), () -> "helm lint --strict failed: " + result.getMessages());
  }

  @Test
  void theShippedDefaultsRefuseToRenderWithoutAnIssuer() {
    LintResult result = new Helm(Repo.chart()).lint().call();

    assertTrue(result.isFailed(), "an empty issuerUrl must not lint");
    assertTrue(result.getMessages().stream().anyMatch(m -> m.contains("issuerUrl")),
        () -> "the failure should name issuerUrl: " + result.getMessages());
  }

  private static Path copyChart(Path tmp) throws IOException {
    Path source = Repo.chart();
    Path target = tmp.resolve("kubeassume");
    try (Stream<Path> files = Files.walk(source)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path dest = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest);
        }
      }
    }
    return target;
  }
}
