package io.kubeassume.status;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.kubeassume.verify.CheckResult;
import io.kubeassume.verify.Cloud;
import io.kubeassume.verify.Report;
import io.kubeassume.verify.Status;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Pure: a status report as text (one line per check, verify's style) or JSON. */
public final class StatusRender {
  private StatusRender() {}

  public static String text(StatusReport s) {
    Report v = s.verify();
    StringBuilder b = new StringBuilder();
    b.append("kubeassume status ").append(v.issuer()).append('\n');
    b.append("verify (").append(v.clouds().stream().map(Cloud::flag).collect(Collectors.joining(", "))).append("): ")
        .append(v.passed() ? "PASS" : "FAIL").append(" (").append(counts(v.count(Status.FAIL), v.count(Status.WARN),
            v.count(Status.PASS))).append(")\n");
    for (CheckResult c : v.results()) {
      if (c.status() == Status.FAIL) {
        line(b, c.label(), c);
      }
    }
    for (CheckResult c : s.checks()) {
      line(b, c.name(), c);
    }
    b.append("Result: ").append(s.passed() ? "PASS" : "FAIL").append(" (verify ").append(v.passed() ? "passed" : "failed")
        .append("; trust: ").append(counts(s.count(Status.FAIL), s.count(Status.WARN), s.count(Status.PASS)))
        .append(")\n");
    return b.toString();
  }

  private static void line(StringBuilder b, String label, CheckResult c) {
    b.append(String.format("%-4s %-22s %s", c.status(), label, c.message()));
    if (c.fix() != null) {
      b.append(" | fix: ").append(c.fix());
    }
    b.append('\n');
  }

  private static String counts(long fail, long warn, long pass) {
    return fail + " failed, " + warn + " warnings, " + pass + " passed";
  }

  public static String json(StatusReport s) {
    Report v = s.verify();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("issuer", v.issuer());
    root.put("result", s.passed() ? "pass" : "fail");
    Map<String, Object> verify = new LinkedHashMap<>();
    verify.put("clouds", v.clouds().stream().map(Cloud::flag).toList());
    verify.put("result", v.passed() ? "pass" : "fail");
    verify.put("counts", counts(v.results()));
    verify.put("failures", v.results().stream().filter(c -> c.status() == Status.FAIL).map(StatusRender::check).toList());
    root.put("verify", verify);
    root.put("counts", counts(s.checks()));
    root.put("checks", s.checks().stream().map(StatusRender::check).toList());
    return JSONObjectUtils.toJSONString(root) + "\n";
  }

  private static Map<String, Object> counts(List<CheckResult> results) {
    Map<String, Object> counts = new LinkedHashMap<>();
    for (Status st : Status.values()) {
      counts.put(st.name().toLowerCase(Locale.ROOT), results.stream().filter(c -> c.status() == st).count());
    }
    return counts;
  }

  private static Map<String, Object> check(CheckResult c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", c.name());
    if (c.cloud() != null) {
      m.put("cloud", c.cloud().flag());
    }
    m.put("status", c.status().name());
    m.put("message", c.message());
    if (c.fix() != null) {
      m.put("fix", c.fix());
    }
    return m;
  }
}
