package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The chart's PrometheusRule: rendered, cut out of `helm template`'s output, and its spec turned into
 * a plain Prometheus rule file (the same `groups:`, two spaces less indented).
 */
final class PrometheusRules {
  static final String RULE_FILE = "deploy/prometheus/kubeassume-rules.yaml";
  static final String CUSTOM_RESOURCE = "deploy/prometheus/kubeassume-prometheusrule.yaml";
  static final String UNIT_TESTS = "deploy/prometheus/tests/kubeassume-rules.test.yaml";
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  /** One alerting rule as the rule file has it. */
  record Alert(String group, String name, String expr, String forDuration, Map<String, String> labels,
      Map<String, String> annotations) {}

  private PrometheusRules() {
  }

  /** The PrometheusRule document of the chart rendered with these values (which must enable it). */
  static String customResource(String valuesYaml) {
    return customResourceOf(Charts.template(valuesYaml));
  }

  static String customResourceOf(String helmTemplateOutput) {
    List<String> found = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(helmTemplateOutput)) {
      if (document.contains("\nkind: PrometheusRule\n")) {
        found.add(document.strip() + "\n");
      }
    }
    assertEquals(1, found.size(), "exactly one PrometheusRule in the chart's output");
    return found.get(0);
  }

  /** The spec of a rendered PrometheusRule as a rule file: the lines under `spec:`, two spaces less indented. */
  static String ruleFile(String customResource) {
    List<String> lines = customResource.lines().toList();
    int spec = lines.indexOf("spec:");
    assertTrue(spec >= 0, "the PrometheusRule has a top-level spec");
    StringBuilder out = new StringBuilder();
    for (String line : lines.subList(spec + 1, lines.size())) {
      assertTrue(line.isEmpty() || line.startsWith("  "), () -> "a line of the spec is not indented: " + line);
      out.append(line.isEmpty() ? "" : line.substring(2)).append('\n');
    }
    return out.toString();
  }

  /** Every alerting rule of a rule file, in order. */
  @SuppressWarnings("unchecked")
  static List<Alert> alerts(String ruleFile) {
    Map<String, Object> parsed = parse(ruleFile);
    List<Alert> alerts = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) parsed.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        if (rule.containsKey("alert")) {
          alerts.add(new Alert((String) group.get("name"), (String) rule.get("alert"), (String) rule.get("expr"),
              (String) rule.get("for"), (Map<String, String>) rule.getOrDefault("labels", Map.of()),
              (Map<String, String>) rule.getOrDefault("annotations", Map.of())));
        }
      }
    }
    return alerts;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> parse(String yaml) {
    return Serialization.unmarshal(yaml, Map.class);
  }
}
