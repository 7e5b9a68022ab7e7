package io.kubeassume.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The hint for a private key names the file that was given, not a sa.key the user may not have. */
class PrivateKeyHintTest {
  static byte[] fixture(String name) throws Exception {
    try (InputStream in = PrivateKeyHintTest.class.getResourceAsStream("/keys/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void thePrivateKeyHintNamesTheGivenFile() throws Exception {
    InvalidKeyException e = assertThrows(InvalidKeyException.class,
        () -> KeyParser.parse("/etc/kubeassume/keys/issuer.key", fixture("rsa3072-private.pem")));
    assertEquals("/etc/kubeassume/keys/issuer.key: contains a private key (PRIVATE KEY); kubeassume publishes public keys "
        + "only: mount the public half, e.g. 'openssl pkey -in /etc/kubeassume/keys/issuer.key -pubout -out "
        + "/etc/kubeassume/keys/issuer.pub'", e.getMessage());
    assertFalse(e.getMessage().contains("sa.key"), e.getMessage());
  }

  @Test
  void aFileWithoutAKeySuffixGetsDotPubAppended() throws Exception {
    InvalidKeyException e = assertThrows(InvalidKeyException.class,
        () -> KeyParser.parse("/keys/signing", fixture("ec256-private.pem")));
    assertEquals("'openssl pkey -in /keys/signing -pubout -out /keys/signing.pub'",
        e.getMessage().substring(e.getMessage().indexOf('\'')));
    assertEquals("'openssl pkey -in /k/tls.pem -pubout -out /k/tls.pub'", KeyParser.publicHalf("/k/tls.pem"));
  }
}
