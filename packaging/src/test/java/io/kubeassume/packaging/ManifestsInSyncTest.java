package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * deploy/manifests/kubeassume.yaml (one issuer) and kubeassume-fleet.yaml (a fleet) are the chart
 * rendered with deploy/manifests/values.yaml and values-fleet.yaml, for people without Helm.
 * Regenerate them with {@value #REGENERATE}.
 */
class ManifestsInSyncTest {
  static final String REGENERATE =
      "mvn -o -q -pl packaging -am test -Dtest=ManifestsInSyncTest -Dsurefire.failIfNoSpecifiedTests=false"
          + " -Dkubeassume.regenerate=true";

  /** Each plain manifest, the values it is rendered with, and what to edit before applying it. */
  enum Manifest {
    SINGLE("deploy/manifests/kubeassume.yaml", "deploy/manifests/values.yaml",
        "# Before applying: kubectl create namespace kubeassume, and replace https://oidc.example.com\n"
            + "# with your issuer (the API server's --service-account-issuer). See docs/installation.md.\n"),
    FLEET("deploy/manifests/kubeassume-fleet.yaml", "deploy/manifests/values-fleet.yaml",
        "# A fleet of issuers declared by OIDCIssuer objects (docs/fleet.md). Before applying: kubectl create\n"
            + "# namespace kubeassume and kubeassume-issuers (where the OIDCIssuer objects and their Secrets\n"
            + "# live; to read other namespaces, copy the Role and RoleBinding kubeassume-issuers into each),\n"
            + "# and replace https://oidc.example.com/clusters/ with your prefix. See docs/installation.md.\n");

    final String file;
    final String values;
    final String before;

    Manifest(String file, String values, String before) {
      this.file = file;
      this.values = values;
      this.before = before;
    }

    String header() {
      return "# Generated from deploy/helm/kubeassume with " + values + " (release kubeassume,\n"
          + "# namespace kubeassume). Do not edit; change the chart and regenerate with\n"
          + "#   " + REGENERATE + "\n"
          + before;
    }
  }

  @ParameterizedTest
  @EnumSource(Manifest.class)
  void plainManifestsEqualTheRenderedChart(Manifest m) throws IOException {
    Path manifests = Repo.file(m.file);
    String rendered = m.header() + Charts.templateWithFile(Repo.file(m.values));

    if (Boolean.getBoolean("kubeassume.regenerate")) {
      Files.writeString(manifests, rendered);
    }

    assertTrue(Files.isRegularFile(manifests), () -> manifests + " is missing; regenerate it with: " + REGENERATE);
    assertEquals(rendered, Files.readString(manifests),
        () -> manifests + " differs from the chart rendered with " + m.values + "; regenerate it with: " + REGENERATE);
  }

  @Test
  void plainManifestsParseAndNeedOnlyTheIssuerEdited() throws IOException {
    Rendered parsed = Rendered.parse(Files.readString(Repo.file(Manifest.SINGLE.file)));

    assertEquals(Charts.ISSUER, parsed.env().get("KUBEASSUME_ISSUER_URL"));
    assertEquals("kubernetes", parsed.env().get("KUBEASSUME_SOURCE"));
    parsed.objects.stream()
        .filter(o -> !o.getKind().startsWith("Cluster"))
        .forEach(o -> assertEquals(Charts.NAMESPACE, o.getMetadata().getNamespace(), o.getKind()));
  }

  @Test
  void fleetManifestsHoldTheCrdAndReadSecretsInTheIssuersNamespaceOnly() throws IOException {
    Rendered parsed = Rendered.parse(Files.readString(Repo.file(Manifest.FLEET.file)));

    assertEquals("kubernetes", parsed.env().get("KUBEASSUME_ISSUERS"));
    assertEquals("kubeassume-issuers", parsed.env().get("KUBEASSUME_WATCH_NAMESPACES"));
    assertEquals("https://oidc.example.com/clusters/", parsed.env().get("KUBEASSUME_ISSUER_URL_PREFIX"));
    assertEquals("oidcissuers.kubeassume.io", parsed.one(CustomResourceDefinition.class).getMetadata().getName());
    assertTrue(parsed.all(ClusterRole.class).isEmpty(), "no cluster-wide Secret read");
    assertEquals(Set.of("kubeassume-issuers/kubeassume-issuers", "kubeassume/kubeassume"), Set.copyOf(
        parsed.all(Role.class).stream().map(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName()).toList()));
    List.of("Deployment", "Service", "ServiceAccount").forEach(kind -> parsed.objects.stream()
        .filter(o -> o.getKind().equals(kind))
        .forEach(o -> assertEquals(Charts.NAMESPACE, o.getMetadata().getNamespace(), kind)));
  }
}
