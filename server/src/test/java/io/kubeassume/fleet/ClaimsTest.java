package io.kubeassume.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubeassume.document.IssuerUrl;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimsTest {
  private static IssuerSpec spec(String id, String url, long createdSecond) {
    return new IssuerSpec(id, IssuerUrl.parse(url), new IssuerSpec.KeyFiles(List.of(Path.of("/k"))), Duration.ofHours(1), 300,
        List.of(), Instant.ofEpochSecond(createdSecond));
  }

  @Test
  void theOlderClaimKeepsAUrlAndTheNewerIsInConflict() {
    Map<String, Claims.Verdict> v = Claims.decide(List.of(
        spec("team-b/prod", "https://oidc.example.com/clusters/prod", 20),
        spec("team-a/prod", "https://oidc.example.com/clusters/prod/", 10),
        spec("team-a/dev", "https://oidc.example.com/clusters/dev", 30)), List.of());
    assertEquals(new Claims.Conflict("team-a/prod"), v.get("team-b/prod"), "a trailing slash is the same route");
    assertEquals(new Claims.Granted(), v.get("team-a/prod"));
    assertEquals(new Claims.Granted(), v.get("team-a/dev"), "one conflict disturbs nobody else");
    assertEquals(List.of("team-b/prod", "team-a/prod", "team-a/dev"), List.copyOf(v.keySet()), "in the order given");
  }

  @Test
  void equalAgesAreDecidedByName() {
    Map<String, Claims.Verdict> v = Claims.decide(List.of(
        spec("b", "https://oidc.example.com/x", 5), spec("a", "https://oidc.example.com/x", 5)), List.of());
    assertEquals(new Claims.Granted(), v.get("a"));
    assertEquals(new Claims.Conflict("a"), v.get("b"));
  }

  @Test
  void anIssuerOutsideEveryAllowedPrefixIsRefusedAndClaimsNothing() {
    List<String> prefixes = List.of("https://oidc.example.com/clusters/");
    Map<String, Claims.Verdict> v = Claims.decide(List.of(
        spec("evil", "https://oidc.example.com/other", 1),
        spec("ok", "https://oidc.example.com/clusters/a", 2),
        spec("evil-older", "https://login.example.com/clusters/a", 0)), prefixes);
    assertEquals(new Claims.NotAllowed(prefixes), v.get("evil"));
    assertEquals(new Claims.NotAllowed(prefixes), v.get("evil-older"));
    assertEquals(new Claims.Granted(), v.get("ok"));
  }
}
