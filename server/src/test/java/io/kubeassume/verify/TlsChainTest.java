package io.kubeassume.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;

class TlsChainTest {
  static String bcSha1(byte[] der) {
    SHA1Digest d = new SHA1Digest();
    d.update(der, 0, der.length);
    byte[] out = new byte[20];
    d.doFinal(out, 0);
    return Hex.toHexString(out);
  }

  @Test
  void awsThumbprintIsTheSha1OfTheLastPresentedCertificate() throws Exception {
    TestCa ca = TestCa.create("thumb");
    TlsChain chain = TlsChain.of(ca.server("oidc.example.com").chain());
    assertEquals(bcSha1(ca.intermediate.getEncoded()), chain.awsThumbprint());
    assertEquals(40, chain.awsThumbprint().length());
    assertEquals("CN=oidc.example.com", chain.leafSubject());
    assertEquals("CN=thumb Intermediate", chain.leafIssuer());
    assertEquals("CN=thumb Intermediate", chain.topSubject());
    // A server that also sends its self-signed root: AWS wants the top *intermediate*, so the root is skipped.
    TlsChain withRoot = TlsChain.of(List.of(chain.leaf(), ca.intermediate, ca.root));
    assertEquals(bcSha1(ca.intermediate.getEncoded()), withRoot.awsThumbprint());
    // Only a leaf: the leaf is the top.
    assertEquals(bcSha1(chain.leaf().getEncoded()), TlsChain.of(List.of(chain.leaf())).awsThumbprint());
  }

  @Test
  void anEmptyChainIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> TlsChain.of(List.of()));
  }
}
