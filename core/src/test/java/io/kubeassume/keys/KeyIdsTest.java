package io.kubeassume.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KeyIdsTest {

  @Test
  void sha256MatchesTheFipsTestVector() {
    assertArrayEquals(HexFormat.of().parseHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        KeyIds.sha256("abc".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void apiServerKidIsUnpaddedBase64UrlOfTheSha256OfTheSpki() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    PublicKey key = gen.generateKeyPair().getPublic();
    String expected = java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    String kid = KeyIds.apiServerKid(key);
    assertEquals(expected, kid);
    assertEquals(43, kid.length());
    assertEquals(-1, kid.indexOf('='));
  }

  @Test
  void keyWithoutSpkiEncodingIsRefused() {
    PublicKey raw = new PublicKey() {
      @Override public String getAlgorithm() { return "EC"; }
      @Override public String getFormat() { return "RAW"; }
      @Override public byte[] getEncoded() { return new byte[] {1, 2, 3}; }
    };
    PublicKey unencoded = new PublicKey() {
      @Override public String getAlgorithm() { return "EC"; }
      @Override public String getFormat() { return "X.509"; }
      @Override public byte[] getEncoded() { return null; }
    };
    assertThrows(IllegalArgumentException.class, () -> KeyIds.apiServerKid(raw));
    assertThrows(IllegalArgumentException.class, () -> KeyIds.apiServerKid(unencoded));
  }
}
