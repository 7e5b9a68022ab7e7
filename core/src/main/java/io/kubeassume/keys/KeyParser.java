package io.kubeassume.keys;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Turns the bytes of a key file into validated public signing keys. Accepts what the API server's
 * {@code --service-account-key-file} accepts, minus private keys: PEM SubjectPublicKeyInfo
 * ("PUBLIC KEY"), PKCS#1 ("RSA PUBLIC KEY"), certificates, several blocks per file; and JWKS or
 * single-JWK JSON. Pure: no I/O, so the same rules apply to files, the API server and state.
 */
public final class KeyParser {
  private KeyParser() {}

  /** Parses one file's content; {@code origin} names it in errors. Never returns an empty list. */
  public static List<SigningKey> parse(String origin, byte[] content) throws InvalidKeyException {
    String text = new String(content, StandardCharsets.UTF_8).strip();
    if (text.startsWith("{")) {
      return parseJson(origin, text);
    }
    if (text.contains("-----BEGIN ")) {
      return parsePem(origin, text);
    }
    throw new InvalidKeyException(origin, "neither PEM nor JWKS JSON; give a PEM public key "
        + "(e.g. sa.pub from 'openssl pkey -in sa.key -pubout'), a certificate, or a JWKS file");
  }

  /** Parses a JWKS document ({"keys": [...]}) or a single JWK object. */
  public static List<SigningKey> parseJson(String origin, String json) throws InvalidKeyException {
    Map<String, Object> root;
    try {
      root = JSONObjectUtils.parse(json);
    } catch (ParseException e) {
      throw new InvalidKeyException(origin, "invalid JSON: " + e.getMessage());
    }
    if (root.containsKey("keys")) {
      if (!(root.get("keys") instanceof List<?> list)) {
        throw new InvalidKeyException(origin, "\"keys\" must be an array of JWKs");
      }
      if (list.isEmpty()) {
        throw new InvalidKeyException(origin, "JWKS has no keys");
      }
      List<SigningKey> keys = new ArrayList<>(list.size());
      for (Object entry : list) {
        if (!(entry instanceof Map<?, ?> member)) {
          throw new InvalidKeyException(origin, "every entry of \"keys\" must be a JSON object");
        }
        keys.add(parseJwk(origin, castMap(member)));
      }
      return keys;
    }
    if (root.containsKey("kty")) {
      return List.of(parseJwk(origin, root));
    }
    throw new InvalidKeyException(origin, "JSON is neither a JWKS ({\"keys\": [...]}) nor a JWK (no \"kty\")");
  }

  /** Parses and admits one JWK given as a JSON object. Private members are refused before parsing. */
  public static SigningKey parseJwk(String origin, Map<String, Object> member) throws InvalidKeyException {
    String name = origin + (member.get("kid") instanceof String kid ? " (kid " + kid + ")" : "");
    for (String privateMember : KeyPolicy.PRIVATE_MEMBERS) {
      if (member.containsKey(privateMember)) {
        throw new InvalidKeyException(name, "JWK has the private member \"" + privateMember
            + "\"; never publish private or symmetric keys: export the public key only");
      }
    }
    Object kty = member.get("kty");
    if (!"RSA".equals(kty) && !"EC".equals(kty)) {
      throw new InvalidKeyException(name, "unsupported kty " + (kty == null ? "(missing)" : "\"" + kty + "\"")
          + "; use RSA or EC keys");
    }
    JWK jwk;
    try {
      jwk = JWK.parse(member);
    } catch (ParseException e) {
      throw new InvalidKeyException(name, "invalid JWK: " + e.getMessage());
    }
    return KeyPolicy.admit(jwk, origin);
  }

  private static List<SigningKey> parsePem(String origin, String text) throws InvalidKeyException {
    PemScanner.Result scan = PemScanner.scan(text);
    // Refuse the whole file if any block is private, before anything is parsed; a private
    // block without a matching END line counts too.
    for (PemScanner.Block block : scan.blocks()) {
      if (block.label().contains("PRIVATE KEY")) {
        throw new InvalidKeyException(origin, "contains a private key (" + block.label() + "); kubeassume publishes "
            + "public keys only: mount the public half, e.g. " + publicHalf(origin));
      }
    }
    if (text.contains("PRIVATE KEY-----")) {
      throw new InvalidKeyException(origin, "contains a (malformed) private key block; kubeassume publishes "
          + "public keys only: mount the public half, e.g. " + publicHalf(origin));
    }
    if (scan.problem() != null) {
      throw new InvalidKeyException(origin, scan.problem());
    }
    List<SigningKey> keys = new ArrayList<>();
    for (PemScanner.Block block : scan.blocks()) {
      String type = block.label();
      byte[] der = decodeBase64(origin, type, block.body());
      switch (type) {
        case "PUBLIC KEY" -> keys.add(KeyPolicy.admit(spki(origin, der), origin));
        case "RSA PUBLIC KEY" -> keys.add(KeyPolicy.admit(pkcs1(origin, der), origin));
        case "CERTIFICATE" -> keys.add(KeyPolicy.admit(certificateKey(origin, der), origin));
        case "EC PARAMETERS" -> { } // tolerated next to keys, as the API server does
        default -> throw new InvalidKeyException(origin, "unsupported PEM block \"" + type
            + "\"; use PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE");
      }
    }
    if (keys.isEmpty()) {
      throw new InvalidKeyException(origin, "no public key in the PEM data");
    }
    return keys;
  }

  /** The command that writes the public half of the private key file {@code origin}, next to it. */
  static String publicHalf(String origin) {
    String out = origin.matches(".*\\.(key|pem)$") ? origin.substring(0, origin.lastIndexOf('.')) + ".pub" : origin + ".pub";
    return "'openssl pkey -in " + origin + " -pubout -out " + out + "'";
  }

  private static byte[] decodeBase64(String origin, String type, String body) throws InvalidKeyException {
    try {
      return Base64.getMimeDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new InvalidKeyException(origin, "PEM block " + type + " is not valid base64");
    }
  }

  private static PublicKey spki(String origin, byte[] der) throws InvalidKeyException {
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException | IllegalArgumentException tryNext) {
        // not this algorithm
      }
    }
    throw new InvalidKeyException(origin, "PUBLIC KEY is not an RSA or EC (P-256, P-384, P-521) key");
  }

  /** PKCS#1 RSAPublicKey: SEQUENCE { modulus INTEGER, publicExponent INTEGER }. */
  private static PublicKey pkcs1(String origin, byte[] der) throws InvalidKeyException {
    try {
      DerReader seq = new DerReader(der).sequence();
      BigInteger modulus = seq.integer();
      BigInteger exponent = seq.integer();
      return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new InvalidKeyException(origin, "RSA PUBLIC KEY is not valid PKCS#1: " + e.getMessage());
    }
  }

  private static PublicKey certificateKey(String origin, byte[] der) throws InvalidKeyException {
    try {
      X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
      return cert.getPublicKey();
    } catch (GeneralSecurityException e) {
      throw new InvalidKeyException(origin, "CERTIFICATE is not a valid X.509 certificate: " + e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Map<?, ?> map) {
    return (Map<String, Object>) map;
  }

  /** Just enough DER to read PKCS#1: definite lengths, SEQUENCE and INTEGER. */
  private static final class DerReader {
    private final byte[] data;
    private int pos;
    private final int end;

    DerReader(byte[] data) {
      this(data, 0, data.length);
    }

    private DerReader(byte[] data, int start, int end) {
      this.data = data;
      this.pos = start;
      this.end = end;
    }

    DerReader sequence() {
      int len = header(0x30);
      DerReader inner = new DerReader(data, pos, pos + len);
      pos += len;
      return inner;
    }

    BigInteger integer() {
      int len = header(0x02);
      byte[] value = java.util.Arrays.copyOfRange(data, pos, pos + len);
      pos += len;
      return new BigInteger(value);
    }

    private int header(int expectedTag) {
      if (pos >= end || (data[pos++] & 0xff) != expectedTag) {
        throw new IllegalArgumentException("unexpected DER tag");
      }
      int first = nextByte();
      int len = first;
      if (first > 0x80) {
        int octets = first & 0x7f;
        if (octets > 3) {
          throw new IllegalArgumentException("DER length too long");
        }
        len = 0;
        for (int i = 0; i < octets; i++) {
          len = (len << 8) | nextByte();
        }
      } else if (first == 0x80) {
        throw new IllegalArgumentException("indefinite DER length");
      }
      if (len < 0 || pos + len > end) {
        throw new IllegalArgumentException("DER length beyond the data");
      }
      return len;
    }

    private int nextByte() {
      if (pos >= end) {
        throw new IllegalArgumentException("truncated DER");
      }
      return data[pos++] & 0xff;
    }
  }
}
