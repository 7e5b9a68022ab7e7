package io.kubeassume.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyParserTest {

  static byte[] resource(String name) {
    try (InputStream in = KeyParserTest.class.getResourceAsStream("/keys/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String text(String name) {
    return new String(resource(name), StandardCharsets.UTF_8);
  }

  static String expectedKid(String name) {
    return text(name).strip();
  }

  static SigningKey single(String name) throws InvalidKeyException {
    List<SigningKey> keys = KeyParser.parse(name, resource(name));
    assertEquals(1, keys.size(), "keys in " + name);
    return keys.get(0);
  }

  static InvalidKeyException rejected(String name) {
    return assertThrows(InvalidKeyException.class, () -> KeyParser.parse(name, resource(name)));
  }

  static InvalidKeyException rejectedText(String content) {
    return assertThrows(InvalidKeyException.class,
        () -> KeyParser.parse("test", content.getBytes(StandardCharsets.UTF_8)));
  }

  static void assertMentions(Exception e, String fragment) {
    assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains(fragment.toLowerCase(Locale.ROOT)),
        () -> "expected message to mention '" + fragment + "' but was: " + e.getMessage());
  }

  // ---------------------------------------------------------------- PEM: accepted forms

  @ParameterizedTest
  @CsvSource({
      "rsa3072-spki, RS256, RSA",
      "ec256-spki, ES256, EC",
      "ec384-spki, ES384, EC",
      "ec521-spki, ES512, EC"})
  void spkiPublicKeysParseWithTheApiServerKidAndAlg(String fixture, String alg, String kty) throws Exception {
    SigningKey key = single(fixture + ".pem");
    assertEquals(expectedKid(fixture + ".kid"), key.kid());
    assertEquals(alg, key.alg());
    assertEquals(kty, key.toJsonMap().get("kty"));
    assertEquals("sig", key.toJsonMap().get("use"));
    assertFalse(key.jwk().isPrivate());
    assertEquals(fixture + ".pem", key.origin());
  }

  @ParameterizedTest
  @CsvSource({"ec256-spki, P-256", "ec384-spki, P-384", "ec521-spki, P-521"})
  void ecKeysCarryTheirCurve(String fixture, String curve) throws Exception {
    assertEquals(curve, single(fixture + ".pem").toJsonMap().get("crv"));
  }

  @Test
  void pkcs1RsaPublicKeyGivesTheSameKeyAndKidAsTheSpki() throws Exception {
    SigningKey pkcs1 = single("rsa3072-pkcs1.pem");
    SigningKey spki = single("rsa3072-spki.pem");
    assertEquals(expectedKid("rsa3072-spki.kid"), pkcs1.kid());
    assertEquals(spki.thumbprint(), pkcs1.thumbprint());
    assertTrue(pkcs1.sameAs(spki));
    assertEquals(spki.toJsonMap(), pkcs1.toJsonMap());
  }

  @Test
  void certificateGivesItsPublicKey() throws Exception {
    SigningKey cert = single("rsa3072-cert.pem");
    assertEquals(expectedKid("rsa3072-spki.kid"), cert.kid());
    assertEquals("RS256", cert.alg());
    assertTrue(cert.sameAs(single("rsa3072-spki.pem")));
  }

  @Test
  void fileWithSeveralPemBlocksGivesSeveralKeysInFileOrder() throws Exception {
    String content = text("rsa3072-spki.pem") + "\n" + text("ec256-spki.pem") + "\n" + text("ec384-spki.pem");
    List<SigningKey> keys = KeyParser.parse("bundle.pem", content.getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of(expectedKid("rsa3072-spki.kid"), expectedKid("ec256-spki.kid"), expectedKid("ec384-spki.kid")),
        keys.stream().map(SigningKey::kid).toList());
    assertEquals(List.of("RS256", "ES256", "ES384"), keys.stream().map(SigningKey::alg).toList());
  }

  @Test
  void textAroundPemBlocksAndCrlfLineEndingsAreTolerated() throws Exception {
    String content = "# the service-account key\r\n" + text("ec256-spki.pem").replace("\n", "\r\n") + "trailing words\r\n";
    List<SigningKey> keys = KeyParser.parse("crlf.pem", content.getBytes(StandardCharsets.UTF_8));
    assertEquals(1, keys.size());
    assertEquals(expectedKid("ec256-spki.kid"), keys.get(0).kid());
  }

  // ---------------------------------------------------------------- PEM: rejected forms

  @ParameterizedTest
  @ValueSource(strings = {
      "rsa3072-private.pem",
      "rsa3072-private-pkcs1.pem",
      "ec256-private-sec1.pem",
      "ec256-private.pem",
      "ec384-private.pem",
      "ec521-private.pem",
      "rsa3072-encrypted.pem"})
  void everyPrivateKeyFormIsRejected(String fixture) {
    InvalidKeyException e = rejected(fixture);
    assertMentions(e, "private");
    assertEquals(fixture, e.origin());
    assertTrue(e.getMessage().startsWith(fixture + ": "), e.getMessage());
  }

  @Test
  void fileHoldingAPublicAndAPrivateBlockIsRejectedAsAWhole() {
    String content = text("rsa3072-spki.pem") + "\n" + text("ec256-private-sec1.pem");
    assertMentions(rejectedText(content), "private");
    String reversed = text("rsa3072-private.pem") + "\n" + text("ec256-spki.pem");
    assertMentions(rejectedText(reversed), "private");
  }

  @Test
  void privateKeyNextToACertificateIsRejected() {
    assertMentions(rejectedText(text("rsa3072-cert.pem") + text("rsa3072-private.pem")), "private");
  }

  @Test
  void rsa1024IsRejectedAsTooWeak() {
    InvalidKeyException e = rejected("rsa1024-spki.pem");
    assertMentions(e, "too weak");
    assertMentions(e, "1024");
  }

  @ParameterizedTest
  @ValueSource(strings = {"secp256k1-spki.pem", "ed25519-spki.pem"})
  void unsupportedCurvesAreRejected(String fixture) {
    rejected(fixture);
  }

  @Test
  void aValidKeyNextToAnUnsupportedOneRejectsTheWholeFile() {
    rejectedText(text("rsa3072-spki.pem") + text("ed25519-spki.pem"));
    assertMentions(rejectedText(text("ec256-spki.pem") + text("rsa1024-spki.pem")), "too weak");
  }

  @Test
  void unsupportedPemBlockTypeIsRejected() {
    String content = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
    assertMentions(rejectedText(content), "unsupported PEM block");
  }

  @Test
  void onlyEcParametersWithoutAKeyIsRejected() {
    String content = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
    assertMentions(rejectedText(content), "no public key");
  }

  @Test
  void ecParametersNextToAKeyAreTolerated() throws Exception {
    String content = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + text("ec256-spki.pem");
    List<SigningKey> keys = KeyParser.parse("params.pem", content.getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of(expectedKid("ec256-spki.kid")), keys.stream().map(SigningKey::kid).toList());
  }

  @Test
  void pemBeginWithoutEndIsRejected() {
    String truncated = text("rsa3072-spki.pem").replace("-----END PUBLIC KEY-----", "");
    rejectedText(truncated);
  }

  @Test
  void pemBlockWithCorruptedBodyIsRejected() {
    rejectedText("-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n");
    rejectedText("-----BEGIN PUBLIC KEY-----\n!!!! not base64 ****\n-----END PUBLIC KEY-----\n");
    rejectedText("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n");
    rejectedText("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"MA==", "MII=", "MAIC", "MAICAA==", "MAMCAQ==", "AgEB"})
  void truncatedOrMalformedPkcs1DerIsRejectedAsAnInvalidKey(String base64Der) {
    // 30 / 30 82 / 30 02 02 / 30 02 02 00 / 30 03 02 01 (no exponent) / 02 01 01 (no sequence)
    InvalidKeyException e = rejectedText("-----BEGIN RSA PUBLIC KEY-----\n" + base64Der + "\n-----END RSA PUBLIC KEY-----\n");
    assertMentions(e, "PKCS#1");
  }

  @Test
  void garbageTextIsRejected() {
    assertMentions(rejectedText("this is not a key"), "neither PEM nor JWKS");
    rejectedText("");
    rejectedText("   \n ");
  }

  @Test
  void binaryDataIsRejected() {
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 37 + 11);
    }
    assertThrows(InvalidKeyException.class, () -> KeyParser.parse("bin", binary));
  }

  @Test
  void derEncodedKeyWithoutPemArmorIsRejected() throws Exception {
    byte[] der = single("rsa3072-spki.pem").jwk().toRSAKey().toRSAPublicKey().getEncoded();
    assertThrows(InvalidKeyException.class, () -> KeyParser.parse("sa.der", der));
  }

  // ---------------------------------------------------------------- KeyIds

  @Test
  void apiServerKidMatchesOpensslForEveryFixture() throws Exception {
    for (String fixture : List.of("rsa3072-spki", "ec256-spki", "ec384-spki", "ec521-spki")) {
      JWK jwk = single(fixture + ".pem").jwk();
      java.security.PublicKey pub = jwk instanceof RSAKey rsa ? rsa.toRSAPublicKey() : ((ECKey) jwk).toECPublicKey();
      assertEquals(expectedKid(fixture + ".kid"), KeyIds.apiServerKid(pub), fixture);
    }
  }

  @Test
  void differentKeysGetDifferentKids() throws Exception {
    assertNotEquals(single("ec256-spki.pem").kid(), single("ec384-spki.pem").kid());
  }

  @Test
  void parsingIsDeterministic() throws Exception {
    assertArrayEquals(single("ec521-spki.pem").toJsonMap().values().toArray(),
        single("ec521-spki.pem").toJsonMap().values().toArray());
  }

  @Test
  void aPublicKeyNextToATruncatedPrivateKeyBlockIsRefusedAsAWhole() {
    String truncatedPrivate = text("rsa3072-private.pem").replace("-----END PRIVATE KEY-----", "");
    InvalidKeyException e = rejectedText(text("rsa3072-spki.pem") + truncatedPrivate);
    assertMentions(e, "private key");
  }

  // ---------------------------------------------------------------- PEM: broken blocks and pathological input
  // The @Timeouts are guards only: the former regular expression took minutes on these, the scanner milliseconds.

  static final int MIB = 1024 * 1024;

  static String repeat(String unit, int bytes) {
    return unit.repeat(bytes / unit.length());
  }

  static void assertOneShortLine(InvalidKeyException e) {
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertTrue(e.getMessage().length() < 400, () -> "a short message, not an echo of the input: " + e.getMessage().length());
  }

  @Test
  void anUnterminatedBlockIsOneErrorNamingTheBlockTheLineAndTheMissingEnd() {
    String truncated = "# sa.pub\n\n" + text("rsa3072-spki.pem").replace("-----END PUBLIC KEY-----", "");
    InvalidKeyException e = rejectedText(truncated);
    assertEquals("test: PEM block \"PUBLIC KEY\" that begins on line 3 has no -----END PUBLIC KEY----- line right after "
        + "its base64 body; the file is cut off or damaged: give the complete PEM file", e.getMessage());
  }

  @Test
  void aBlockEndedByAnotherLabelIsUnterminated() {
    String content = text("ec256-spki.pem").replace("-----END PUBLIC KEY-----", "-----END CERTIFICATE-----");
    assertMentions(rejectedText(content), "has no -----END PUBLIC KEY----- line");
  }

  @Test
  void aBeginInsideABlockIsUnterminatedNotGluedToTheNextEnd() {
    String first = text("ec256-spki.pem").replace("-----END PUBLIC KEY-----", "");
    InvalidKeyException e = rejectedText(first + text("ec384-spki.pem"));
    assertMentions(e, "\"PUBLIC KEY\" that begins on line 1 has no -----END PUBLIC KEY-----");
  }

  @Test
  void aCompleteBlockBeforeABrokenOneDoesNotHideTheBreak() {
    String content = text("ec256-spki.pem") + "-----BEGIN PUBLIC KEY-----\nAAAA\n";
    assertMentions(rejectedText(content), "has no -----END PUBLIC KEY----- line");
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aMebibyteOfBeginLinesWithoutEndIsOneClearErrorQuickly() {
    InvalidKeyException e = rejectedText(repeat("-----BEGIN PUBLIC KEY-----\n", MIB));
    assertEquals("test: PEM block \"PUBLIC KEY\" that begins on line 1 has no -----END PUBLIC KEY----- line right after "
        + "its base64 body; the file is cut off or damaged: give the complete PEM file", e.getMessage());
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aValidKeyFollowedByAMebibyteOfBeginLinesIsRefusedQuickly() {
    InvalidKeyException e = rejectedText(text("ec256-spki.pem") + repeat("-----BEGIN PUBLIC KEY-----\n", MIB));
    assertMentions(e, "\"PUBLIC KEY\" that begins on line 5 has no -----END PUBLIC KEY-----");
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aMebibyteOfPrivateKeyBeginLinesIsRefusedAsPrivateQuickly() {
    assertMentions(rejectedText(repeat("-----BEGIN PRIVATE KEY-----\n", MIB)), "private key");
    assertMentions(rejectedText(text("ec256-spki.pem") + repeat("-----BEGIN EC PRIVATE KEY-----\r\n", MIB)), "private key");
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aMebibyteBodyWithoutEndIsOneClearErrorQuickly() {
    InvalidKeyException e = rejectedText("-----BEGIN PUBLIC KEY-----\n" + repeat("QUFB\n", MIB));
    assertMentions(e, "has no -----END PUBLIC KEY----- line");
    assertOneShortLine(e);
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void headerPrefixesWithoutALabelAreOneClearErrorQuickly() {
    InvalidKeyException repeated = rejectedText(repeat("-----BEGIN ", MIB));
    assertMentions(repeated, "line 1 is not a PEM header");
    assertOneShortLine(repeated);
    InvalidKeyException lower = rejectedText("-----BEGIN public key-----\nAAAA\n-----END public key-----\n");
    assertMentions(lower, "line 1 is not a PEM header");
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aHugeLabelIsNotAHeaderAndIsNotEchoed() {
    String label = "A".repeat(MIB);
    InvalidKeyException e = rejectedText("-----BEGIN " + label + "-----\nAAAA\n-----END " + label + "-----\n");
    assertMentions(e, "is not a PEM header");
    assertOneShortLine(e);
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aMebibyteOfDashesOrOfEmptyBlocksIsRefusedQuickly() {
    assertMentions(rejectedText(repeat("-", MIB)), "neither PEM nor JWKS");
    assertMentions(rejectedText("-----BEGIN " + repeat("-", MIB)), "is not a PEM header");
    assertMentions(rejectedText(repeat("-----BEGIN X-----\n-----END X-----\n", MIB)), "unsupported PEM block \"X\"");
    assertMentions(rejectedText(repeat("-----BEGIN EC PARAMETERS-----\n-----END EC PARAMETERS-----\n", MIB)), "no public key");
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void manyCompleteBlocksAreAllRead() throws Exception {
    String params = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
    String content = params.repeat(10_000) + text("ec256-spki.pem") + params.repeat(10_000) + text("ec384-spki.pem");
    List<SigningKey> keys = KeyParser.parse("many.pem", content.getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of(expectedKid("ec256-spki.kid"), expectedKid("ec384-spki.kid")),
        keys.stream().map(SigningKey::kid).toList());
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void deeplyNestedJsonIsRefusedQuicklyWithoutAStackOverflow() {
    assertThrows(InvalidKeyException.class, () -> KeyParser.parse("deep.json",
        ("{\"keys\":" + "[".repeat(MIB / 2)).getBytes(StandardCharsets.UTF_8)));
    assertThrows(InvalidKeyException.class, () -> KeyParser.parse("deep.json",
        ("{\"keys\":[" + "{\"a\":".repeat(MIB / 8)).getBytes(StandardCharsets.UTF_8)));
  }
}
