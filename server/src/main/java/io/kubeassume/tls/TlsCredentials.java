package io.kubeassume.tls;

import io.kubeassume.config.TlsFiles;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Enumeration;
import javax.net.ssl.X509KeyManager;

/**
 * A certificate chain and its private key, read and checked together: both parse, the key belongs
 * to the first certificate. Reading blocks; call it off the event loop.
 */
public final class TlsCredentials {
  private final byte[] certificatePem;
  private final byte[] keyPem;
  private final X509Certificate leaf;

  private TlsCredentials(byte[] certificatePem, byte[] keyPem, X509Certificate leaf) {
    this.certificatePem = certificatePem;
    this.keyPem = keyPem;
    this.leaf = leaf;
  }

  /**
   * Reads and checks both files.
   *
   * @throws InvalidTlsCredentialsException naming the file and what is wrong with it
   */
  public static TlsCredentials read(TlsFiles files, Vertx vertx) throws InvalidTlsCredentialsException {
    byte[] cert = readFile(files.certificate().toString(), files);
    byte[] key = readFile(files.privateKey().toString(), files);
    return parse(cert, key, files, vertx);
  }

  static TlsCredentials parse(byte[] cert, byte[] key, TlsFiles files, Vertx vertx) throws InvalidTlsCredentialsException {
    if (!new String(cert, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      throw new InvalidTlsCredentialsException(files.certificate() + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    if (!new String(key, StandardCharsets.US_ASCII).contains("PRIVATE KEY-----")) {
      throw new InvalidTlsCredentialsException(files.privateKey() + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }
    KeyStore store;
    X509KeyManager keys;
    try {
      PemKeyCertOptions options = options(cert, key);
      store = options.loadKeyStore(vertx);
      // The key manager knows the store's internal password; the key store alone does not tell it.
      keys = (X509KeyManager) options.getKeyManagerFactory(vertx).getKeyManagers()[0];
    } catch (Exception e) {
      throw new InvalidTlsCredentialsException("cannot load " + files.certificate() + " with " + files.privateKey() + ": "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
    }
    try {
      Enumeration<String> aliases = store.aliases();
      String alias = aliases.nextElement();
      PrivateKey privateKey = keys.getPrivateKey(alias);
      Certificate[] chain = keys.getCertificateChain(alias);
      if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        throw new InvalidTlsCredentialsException(files.certificate() + " holds no X.509 certificate");
      }
      if (!belongTogether(privateKey, leaf.getPublicKey())) {
        throw new InvalidTlsCredentialsException(files.privateKey() + " is not the key of the first certificate in "
            + files.certificate() + " (" + leaf.getSubjectX500Principal().getName() + "); the certificate must come first, "
            + "then its intermediates");
      }
      return new TlsCredentials(cert, key, leaf);
    } catch (GeneralSecurityException e) {
      throw new InvalidTlsCredentialsException("cannot read the key in " + files.privateKey() + ": " + e.getMessage(), e);
    }
  }

  private static byte[] readFile(String name, TlsFiles files) throws InvalidTlsCredentialsException {
    try {
      return Files.readAllBytes(java.nio.file.Path.of(name));
    } catch (IOException e) {
      throw new InvalidTlsCredentialsException("cannot read " + name + ": " + e, e);
    }
  }

  /** Signs a probe with the private key and checks it with the certificate's public key. */
  private static boolean belongTogether(PrivateKey privateKey, PublicKey publicKey) throws GeneralSecurityException {
    String algorithm = switch (privateKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> throw new GeneralSecurityException("unsupported key type " + privateKey.getAlgorithm()
          + "; use an RSA, EC or Ed25519 key");
    };
    byte[] probe = "kubeassume".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(privateKey);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(publicKey);
    verifier.update(probe);
    try {
      return verifier.verify(signature);
    } catch (java.security.SignatureException e) {
      return false;
    }
  }

  private static PemKeyCertOptions options(byte[] cert, byte[] key) {
    return new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key));
  }

  /** Vert.x key options built from the bytes that were checked, not from the files (which may change again). */
  public PemKeyCertOptions keyCertOptions() {
    return options(certificatePem, keyPem);
  }

  /** True if these are byte for byte the same files as {@code other}. */
  public boolean sameAs(TlsCredentials other) {
    return other != null && Arrays.equals(certificatePem, other.certificatePem) && Arrays.equals(keyPem, other.keyPem);
  }

  public Instant notAfter() {
    return leaf.getNotAfter().toInstant();
  }

  public String subject() {
    return leaf.getSubjectX500Principal().getName();
  }

  /** SHA-256 of the leaf certificate, hex: what {@code openssl x509 -fingerprint -sha256} prints. */
  public String fingerprint() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(leaf.getEncoded());
      return java.util.HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
