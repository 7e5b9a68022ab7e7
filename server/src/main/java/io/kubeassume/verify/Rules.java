package io.kubeassume.verify;

import java.util.ArrayList;
import java.util.List;

/** Runs every rule over the evidence, in report order. Pure: no I/O. */
public final class Rules {
  private Rules() {}

  public static List<CheckResult> evaluate(Evidence e) {
    List<CheckResult> out = new ArrayList<>();
    out.addAll(IssuerRules.check(e));
    out.addAll(DiscoveryRules.check(e));
    out.addAll(JwksRules.check(e));
    out.addAll(TlsRules.check(e));
    out.addAll(TokenRules.check(e));
    return out;
  }
}
