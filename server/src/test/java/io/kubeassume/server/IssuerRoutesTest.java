package io.kubeassume.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubeassume.document.IssuerUrl;
import java.util.List;
import org.junit.jupiter.api.Test;

class IssuerRoutesTest {
  private static IssuerEndpoint endpoint(String id, String issuer) {
    return new IssuerEndpoint(id, IssuerUrl.parse(issuer), 300, new CurrentDocuments());
  }

  private final IssuerEndpoint root = endpoint("root", "https://oidc.example.com");
  private final IssuerEndpoint prodEu = endpoint("prod-eu", "https://oidc.example.com/clusters/prod-eu");
  private final IssuerEndpoint prodUs = endpoint("prod-us", "https://oidc.example.com/clusters/prod-us/");
  private final IssuerEndpoint otherHost = endpoint("other", "https://other.example.com/clusters/prod-eu");

  @Test
  void theRequestPathSelectsTheIssuerAndTheDocument() {
    IssuerRoutes routes = new IssuerRoutes(List.of(root, prodEu, prodUs));
    assertEquals(new IssuerRoutes.Match(root, IssuerRoutes.JWKS), routes.find(null, "/openid/v1/jwks"));
    assertEquals(new IssuerRoutes.Match(prodEu, IssuerRoutes.DISCOVERY),
        routes.find(null, "/clusters/prod-eu/.well-known/openid-configuration"));
    assertEquals(new IssuerRoutes.Match(prodUs, IssuerRoutes.JWKS), routes.find("anything", "/clusters/prod-us/openid/v1/jwks"),
        "a path that one issuer alone has is served whatever the Host");
  }

  @Test
  void everythingElseIsNotFound() {
    IssuerRoutes routes = new IssuerRoutes(List.of(prodEu));
    for (String path : List.of("/openid/v1/jwks", "/clusters/prod-eu", "/clusters/prod-eu/openid/v1/jwks/",
        "/clusters/prod-e/openid/v1/jwks", "/clusters/prod-eu/x/openid/v1/jwks", "/clusters/prod-eu//openid/v1/jwks",
        "/CLUSTERS/prod-eu/openid/v1/jwks", "")) {
      assertNull(routes.find("oidc.example.com", path), path);
    }
  }

  @Test
  void issuersThatShareAPathAreToldApartByHost() {
    IssuerRoutes routes = new IssuerRoutes(List.of(prodEu, otherHost));
    assertTrue(routes.sharedPaths());
    String jwks = "/clusters/prod-eu/openid/v1/jwks";
    assertEquals(prodEu, routes.find("oidc.example.com", jwks).endpoint());
    assertEquals(prodEu, routes.find("OIDC.example.com:443", jwks).endpoint(), "case and port do not matter");
    assertEquals(otherHost, routes.find("other.example.com", jwks).endpoint());
    assertNull(routes.find("third.example.com", jwks));
    assertNull(routes.find(null, jwks), "no Host: no way to choose");
  }

  @Test
  void twoIssuersOnTheSameHostAndPathAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new IssuerRoutes(List.of(prodEu, endpoint("copy", "https://oidc.example.com/clusters/prod-eu/"))));
    assertTrue(e.getMessage().contains("prod-eu and copy both claim oidc.example.com/clusters/prod-eu"), e.getMessage());
  }

  @Test
  void hostsAreNormalized() {
    assertEquals("oidc.example.com", IssuerRoutes.normalizedHost("OIDC.Example.com:8443"));
    assertEquals("[::1]", IssuerRoutes.normalizedHost("[::1]:8080"));
    assertEquals("[::1]", IssuerRoutes.normalizedHost("[::1]"));
  }

  @Test
  void theRegistrySwapsWholeTables() {
    IssuerRegistry registry = new IssuerRegistry();
    registry.apply(b -> {
      b.put(prodEu);
      b.put(prodUs);
    });
    IssuerRoutes before = registry.routes();
    registry.remove("prod-eu");
    assertEquals(2, before.size(), "a table in use never changes");
    assertNull(registry.routes().find(null, "/clusters/prod-eu/openid/v1/jwks"));
    assertThrows(IllegalArgumentException.class,
        () -> registry.put(endpoint("copy", "https://oidc.example.com/clusters/prod-us")));
    assertEquals(prodUs, registry.routes().find(null, "/clusters/prod-us/openid/v1/jwks").endpoint(), "a refused batch changes nothing");
  }
}
