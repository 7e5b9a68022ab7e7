package io.kubeassume.keys;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;

/** The key ID the Kubernetes API server gives a key, so tokens it signs find their key. */
public final class KeyIds {
  private KeyIds() {}

  /** base64url (no padding) of the SHA-256 of the DER SubjectPublicKeyInfo. */
  public static String apiServerKid(PublicKey key) {
    byte[] spki = key.getEncoded();
    if (spki == null || !"X.509".equals(key.getFormat())) {
      throw new IllegalArgumentException("key has no SubjectPublicKeyInfo encoding");
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(spki));
  }

  /** SHA-256 of the bytes. */
  public static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
    }
  }
}
