package io.kubeassume.document;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class IssuerUrlTest {

  private static IllegalArgumentException rejected(String raw) {
    return assertThrows(IllegalArgumentException.class, () -> IssuerUrl.parse(raw));
  }

  @Test
  void httpsIssuerIsAcceptedWithApiServerPaths() {
    IssuerUrl issuer = IssuerUrl.parse("https://oidc.example.com");
    assertEquals("https://oidc.example.com", issuer.value());
    assertEquals("https://oidc.example.com", issuer.toString());
    assertEquals("https://oidc.example.com", issuer.base());
    assertEquals("https://oidc.example.com/openid/v1/jwks", issuer.jwksUri());
    assertEquals("/.well-known/openid-configuration", issuer.discoveryPath());
    assertEquals("/openid/v1/jwks", issuer.jwksPath());
    assertFalse(issuer.hasPort());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://localhost", "http://localhost:8080", "http://127.0.0.1", "http://127.0.0.1:9000/x",
      "http://[::1]", "http://[::1]:8443", "http://LOCALHOST", "http://kind.localhost", "http://127.1.2.3"})
  void httpIsAcceptedForLoopbackOnly(String raw) {
    assertEquals(raw, IssuerUrl.parse(raw).value());
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://example.com", "http://10.0.0.1", "http://[2001:db8::1]", "http://localhost.example.com",
      "http://cafe", "http://dead", "http://1.2.3.4.5",
      "http://0.0.0.0"})
  void httpIsRejectedForOtherHostsWithAMessageAboutHttps(String raw) {
    IllegalArgumentException e = rejected(raw);
    assertTrue(e.getMessage().contains("https"), e.getMessage());
    assertTrue(e.getMessage().contains(raw), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://example.com", "file:///etc/passwd", "ws://localhost"})
  void otherSchemesAreRejected(String raw) {
    rejected(raw);
  }

  @Test
  void queryIsRejected() {
    assertTrue(rejected("https://h.example.com?x=1").getMessage().contains("query"));
    rejected("https://h.example.com/?");
  }

  @Test
  void fragmentIsRejected() {
    assertTrue(rejected("https://h.example.com#frag").getMessage().contains("fragment"));
  }

  @Test
  void userInfoIsRejected() {
    assertTrue(rejected("https://user:secret@h.example.com").getMessage().contains("user info"));
    rejected("https://user@h.example.com");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/clusters/a", "oidc.example.com", "//oidc.example.com", "https:/oidc.example.com", "https:///path"})
  void relativeOrHostlessUrlsAreRejected(String raw) {
    rejected(raw);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"   "})
  void emptyIssuerIsRejected(String raw) {
    rejected(raw);
  }

  @Test
  void syntacticallyInvalidUrlIsRejected() {
    assertTrue(rejected("https://exa mple.com").getMessage().contains("not a valid URL"));
  }

  @Test
  void trailingSlashIsKeptInTheValueButNotDoubledInPaths() {
    IssuerUrl issuer = IssuerUrl.parse("https://h/");
    assertEquals("https://h/", issuer.value());
    assertEquals("https://h", issuer.base());
    assertEquals("https://h/openid/v1/jwks", issuer.jwksUri());
    assertEquals("/.well-known/openid-configuration", issuer.discoveryPath());
    assertEquals("/openid/v1/jwks", issuer.jwksPath());
  }

  @Test
  void pathIssuerServesUnderItsPath() {
    IssuerUrl issuer = IssuerUrl.parse("https://h/clusters/a");
    assertEquals("https://h/clusters/a", issuer.value());
    assertEquals("/clusters/a/.well-known/openid-configuration", issuer.discoveryPath());
    assertEquals("/clusters/a/openid/v1/jwks", issuer.jwksPath());
    assertEquals("https://h/clusters/a/openid/v1/jwks", issuer.jwksUri());
  }

  @Test
  void pathIssuerWithTrailingSlash() {
    IssuerUrl issuer = IssuerUrl.parse("https://h/clusters/a/");
    assertEquals("https://h/clusters/a/", issuer.value());
    assertEquals("/clusters/a/.well-known/openid-configuration", issuer.discoveryPath());
    assertEquals("/clusters/a/openid/v1/jwks", issuer.jwksPath());
    assertEquals("https://h/clusters/a/openid/v1/jwks", issuer.jwksUri());
  }

  @Test
  void hasPortIsTrueOnlyWhenThePortIsNamed() {
    assertTrue(IssuerUrl.parse("https://h.example.com:8443").hasPort());
    assertTrue(IssuerUrl.parse("https://h.example.com:443/x").hasPort());
    assertTrue(IssuerUrl.parse("http://localhost:8080").hasPort());
    assertFalse(IssuerUrl.parse("https://h.example.com/x").hasPort());
    assertFalse(IssuerUrl.parse("http://localhost").hasPort());
  }

  @Test
  void portIsPartOfTheDerivedUris() {
    IssuerUrl issuer = IssuerUrl.parse("https://h.example.com:8443/c");
    assertEquals("https://h.example.com:8443/c/openid/v1/jwks", issuer.jwksUri());
    assertEquals("/c/openid/v1/jwks", issuer.jwksPath());
  }

  @Test
  void equalityIsByTheExactValue() {
    assertEquals(IssuerUrl.parse("https://h/a"), IssuerUrl.parse("https://h/a"));
    assertEquals(IssuerUrl.parse("https://h/a").hashCode(), IssuerUrl.parse("https://h/a").hashCode());
    assertNotEquals(IssuerUrl.parse("https://h/a"), IssuerUrl.parse("https://h/a/"));
    assertNotEquals(IssuerUrl.parse("https://h/a"), "https://h/a");
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0} under {1}: {2}")
  @org.junit.jupiter.params.provider.CsvSource({
      "https://oidc.example.com/clusters/prod-eu, https://oidc.example.com/clusters/, true",
      "https://oidc.example.com/clusters/prod-eu, https://oidc.example.com/clusters, true",
      "https://oidc.example.com/clusters, https://oidc.example.com/clusters, true",
      "https://OIDC.example.com/clusters/a, https://oidc.example.com/, true",
      "https://oidc.example.com/clusters-evil/a, https://oidc.example.com/clusters, false",
      "https://oidc.example.com/other/a, https://oidc.example.com/clusters/, false",
      "https://evil.example.com/clusters/a, https://oidc.example.com/clusters/, false",
      "https://oidc.example.com:8443/clusters/a, https://oidc.example.com/clusters/, false",
      "http://localhost/clusters/a, https://localhost/clusters/, false"})
  void anIssuerIsUnderAPrefixOnlyAtASegmentBoundaryOfTheSameOrigin(String issuer, String prefix, boolean under) {
    assertEquals(under, IssuerUrl.parse(issuer).isUnder(prefix));
  }

  @Test
  void hostAndPathPrefixAreWhatRequestsAreRoutedBy() {
    IssuerUrl u = IssuerUrl.parse("https://OIDC.Example.com:8443/clusters/a/");
    assertEquals("oidc.example.com", u.host());
    assertEquals("/clusters/a", u.pathPrefix());
    assertEquals("", IssuerUrl.parse("https://oidc.example.com").pathPrefix());
  }
}
