package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * deploy/manifests/kubeassume.yaml is the chart rendered with deploy/manifests/values.yaml, for
 * people without Helm. Regenerate it with
 * {@value #REGENERATE}.
 */
class ManifestsInSyncTest {
  static final String REGENERATE =
      "mvn -o -q -pl packaging -am test -Dtest=ManifestsInSyncTest -Dsurefire.failIfNoSpecifiedTests=false"
          + " -Dkubeassume.regenerate=true";

  @Test
  void plainManifestsEqualTheRenderedChart() throws IOException {
    Path manifests = Repo.file("deploy/manifests/kubeassume.yaml");
    String rendered = header() + Charts.templateWithFile(Repo.file("deploy/manifests/values.yaml"));

    if (Boolean.getBoolean("kubeassume.regenerate")) {
      Files.writeString(manifests, rendered);
    }

    assertTrue(Files.isRegularFile(manifests), () -> manifests + " is missing; regenerate it with: " + REGENERATE);
    assertEquals(rendered, Files.readString(manifests),
        () -> manifests + " differs from the chart rendered with deploy/manifests/values.yaml; regenerate it with: "
            + REGENERATE);
  }

  @Test
  void plainManifestsParseAndNeedOnlyTheIssuerEdited() throws IOException {
    Rendered parsed = Rendered.parse(Files.readString(Repo.file("deploy/manifests/kubeassume.yaml")));

    assertEquals(Charts.ISSUER, parsed.env().get("KUBEASSUME_ISSUER_URL"));
    assertEquals("kubernetes", parsed.env().get("KUBEASSUME_SOURCE"));
    parsed.objects.stream()
        .filter(o -> !o.getKind().startsWith("Cluster"))
        .forEach(o -> assertEquals(Charts.NAMESPACE, o.getMetadata().getNamespace(), o.getKind()));
  }

  private static String header() {
    return "# Generated from deploy/helm/kubeassume with deploy/manifests/values.yaml (release kubeassume,\n"
        + "# namespace kubeassume). Do not edit; change the chart and regenerate with\n"
        + "#   " + REGENERATE + "\n"
        + "# Before applying: kubectl create namespace kubeassume, and replace https://oidc.example.com\n"
        + "# with your issuer (the API server's --service-account-issuer). See docs/installation.md.\n";
  }
}
