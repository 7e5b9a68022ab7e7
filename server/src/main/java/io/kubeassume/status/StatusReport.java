package io.kubeassume.status;

import io.kubeassume.verify.CheckResult;
import io.kubeassume.verify.Report;
import io.kubeassume.verify.Status;
import java.util.List;

/**
 * What status found: the issuer's verify report and the trust checks of each cloud asked about.
 *
 * @param checks the cloud checks, in the order the clouds were given
 */
public record StatusReport(Report verify, List<CheckResult> checks) {
  public StatusReport {
    checks = List.copyOf(checks);
  }

  public long count(Status status) {
    return checks.stream().filter(c -> c.status() == status).count();
  }

  /** True if verify passed and no cloud check failed; warnings are allowed. */
  public boolean passed() {
    return verify.passed() && count(Status.FAIL) == 0;
  }
}
