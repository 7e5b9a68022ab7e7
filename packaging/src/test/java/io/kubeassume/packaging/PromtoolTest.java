package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus's own tool judges the alerts: the rule file is valid (for the defaults and for other
 * thresholds), and each alert fires in a unit test on input series (deploy/prometheus/tests).
 */
class PromtoolTest {
  @TempDir
  Path tmp;

  @Test
  void theRuleFileIsValid() throws Exception {
    int alerts = PrometheusRules.alerts(Files.readString(Repo.file(PrometheusRules.RULE_FILE))).size();
    Promtool.Result r = Promtool.run(Repo.root(), "check", "rules", PrometheusRules.RULE_FILE);
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("SUCCESS: " + alerts + " rules found"), r.output());
  }

  @Test
  void rulesRenderedWithOtherValuesAreValidToo() throws Exception {
    String rules = PrometheusRules.ruleFile(PrometheusRules.customResource(ChartMonitoringTest.OTHER_THRESHOLDS));
    Files.writeString(tmp.resolve("rules.yaml"), rules);
    Promtool.Result r = Promtool.run(tmp, "check", "rules", "rules.yaml");
    assertEquals(0, r.exitCode(), r.output());
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyAlertFiresInTheUnitTestsAndTheyPass() throws Exception {
    Map<String, Object> unitTests = PrometheusRules.parse(Files.readString(Repo.file(PrometheusRules.UNIT_TESTS)));
    assertEquals(List.of("../kubeassume-rules.yaml"), unitTests.get("rule_files"), "the unit tests test the shipped rule file");
    Set<String> fired = new TreeSet<>();
    for (Map<String, Object> test : (List<Map<String, Object>>) unitTests.get("tests")) {
      for (Map<String, Object> check : (List<Map<String, Object>>) test.get("alert_rule_test")) {
        if (!((List<?>) check.get("exp_alerts")).isEmpty()) {
          fired.add((String) check.get("alertname"));
        }
      }
    }
    Set<String> alerts = PrometheusRules.alerts(Files.readString(Repo.file(PrometheusRules.RULE_FILE))).stream()
        .map(PrometheusRules.Alert::name).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(alerts, fired, "every alert, and only alerts of the rule file, must fire in some unit test");

    Promtool.Result r = Promtool.run(Repo.root(), "test", "rules", PrometheusRules.UNIT_TESTS);
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("SUCCESS"), r.output());
  }

  @Test
  void aWrongExpectationFailsTheUnitTests() throws Exception {
    // The same tests, one expectation changed: promtool must notice, or the passing run above proves nothing.
    Files.copy(Repo.file(PrometheusRules.RULE_FILE), tmp.resolve("kubeassume-rules.yaml"));
    Path tests = Files.createDirectory(tmp.resolve("tests"));
    String original = Files.readString(Repo.file(PrometheusRules.UNIT_TESTS));
    String wrong = original.replace("severity: critical", "severity: warning");
    assertNotEquals(original, wrong);
    Files.writeString(tests.resolve("wrong.test.yaml"), wrong);

    Promtool.Result r = Promtool.run(tmp, "test", "rules", "tests/wrong.test.yaml");
    assertNotEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("FAILED") && r.output().contains("KubeassumeNotServing"), r.output());
  }
}
