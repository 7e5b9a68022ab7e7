package io.kubeassume.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.junit.jupiter.api.Test;

/** tls.aws-thumbprint says which certificate the thumbprint is of, and never calls a leaf a CA. */
class ThumbprintWordingTest {
  static String thumbprintLine(TlsChain chain) {
    return TlsRules.awsThumbprint(new TlsObservation("h", 443, chain, TlsObservation.Trust.PUBLIC, null)).message();
  }

  @Test
  void aServerThatSendsOnlyItsLeaf() throws Exception {
    TestCa ca = TestCa.create("words");
    TlsChain leafOnly = TlsChain.of(List.of(ca.server("oidc.example.com").chain().get(0)));
    String line = thumbprintLine(leafOnly);
    assertEquals("h:443: the leaf certificate \"CN=oidc.example.com\" (the server sends no intermediate CA), SHA-1 thumbprint "
        + TlsChain.sha1Thumbprint(leafOnly.leaf()), line);
    assertFalse(line.contains("intermediate CA \"CN=oidc.example.com\""), line);
  }

  @Test
  void aServerThatSendsItsIntermediateAndRoot() throws Exception {
    TestCa ca = TestCa.create("words");
    TlsChain withRoot = TlsChain.of(List.of(ca.server("oidc.example.com").chain().get(0), ca.intermediate, ca.root));
    assertEquals("h:443: top intermediate CA \"CN=words Intermediate\", SHA-1 thumbprint "
        + TlsChain.sha1Thumbprint(ca.intermediate), thumbprintLine(withRoot), "the root sent last is not the thumbprint's");
  }
}
