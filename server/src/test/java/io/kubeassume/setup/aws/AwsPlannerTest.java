package io.kubeassume.setup.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AwsPlannerTest {
  @Test
  void pastFiveThumbprintsTheOldestExistingGoes() {
    List<String> merged = AwsPlanner.mergeThumbprints(List.of("a", "b", "c", "d", "e"), List.of("f"));
    assertEquals(List.of("b", "c", "d", "e", "f"), merged);
  }

  @Test
  void matchesTheProviderArnWithOrWithoutTrailingSlash() {
    assertTrue(AwsPlanner.namesIssuer("arn:aws:iam::1:oidc-provider/oidc.example.com", "https://oidc.example.com/"));
    assertTrue(AwsPlanner.namesIssuer("arn:aws-cn:iam::1:oidc-provider/h/p", "https://h/p"));
    assertFalse(AwsPlanner.namesIssuer("arn:aws:iam::1:oidc-provider/h/p2", "https://h/p"));
  }

  @Test
  void anUpToDateProviderNeedsNoChange() {
    AwsProvider p = new AwsProvider("arn", List.of("sts.amazonaws.com", "x"), List.of("t1", "t2"));
    assertEquals(List.of(), AwsPlanner.providerChanges("https://h", List.of("sts.amazonaws.com"), List.of("t2"),
        Optional.of(p)));
  }
}
