package io.kubeassume.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProviderRevisionTest {
  @Test
  void aDescriptionWithoutAMarkerHoldsNoRevision() {
    assertEquals(-1, ProviderRevision.of(null));
    assertEquals(-1, ProviderRevision.of(""));
    assertEquals(-1, ProviderRevision.of("Kubernetes service accounts of cluster a"));
    assertEquals(-1, ProviderRevision.of("kubeassume-revision=abc"));
  }

  @Test
  void theMarkerIsAddedAfterTheOperatorsTextAndReplacedInPlaceLater() {
    String first = ProviderRevision.apply("Cluster a (prod)", 7);
    assertEquals("Cluster a (prod) [kubeassume-revision=7]", first);
    assertEquals(7, ProviderRevision.of(first));
    String second = ProviderRevision.apply(first, 12);
    assertEquals("Cluster a (prod) [kubeassume-revision=12]", second);
    assertEquals(12, ProviderRevision.of(second));
    assertEquals("JWKS uploaded by kubeassume serve [kubeassume-revision=0]", ProviderRevision.apply(null, 0));
    assertEquals("JWKS uploaded by kubeassume serve [kubeassume-revision=3]", ProviderRevision.apply("  ", 3));
    assertEquals(5, ProviderRevision.of("edited by hand: kubeassume-revision=5 (do not touch)"));
    assertThrows(IllegalArgumentException.class, () -> ProviderRevision.apply("x", -1));
  }

  @Test
  void aLongDescriptionIsCutSoTheMarkerAlwaysFitsGcpsLimit() {
    String text = "x".repeat(300);
    String d = ProviderRevision.apply(text, Long.MAX_VALUE / 10);
    assertEquals(ProviderRevision.MAX_DESCRIPTION, d.length());
    assertTrue(d.endsWith("[kubeassume-revision=" + Long.MAX_VALUE / 10 + "]"), d);
    assertEquals(Long.MAX_VALUE / 10, ProviderRevision.of(d));
  }
}
