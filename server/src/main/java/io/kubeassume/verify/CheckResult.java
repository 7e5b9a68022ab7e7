package io.kubeassume.verify;

/**
 * One line of the report.
 *
 * @param name    stable check name, e.g. {@code discovery.issuer}
 * @param cloud   the cloud this result is about, or null when it holds for every chosen cloud
 * @param status  PASS, WARN or FAIL
 * @param message what was found
 * @param fix     how to fix it (null on PASS)
 */
public record CheckResult(String name, Cloud cloud, Status status, String message, String fix) {
  public static CheckResult pass(String name, String message) {
    return new CheckResult(name, null, Status.PASS, message, null);
  }

  public static CheckResult fail(String name, String message, String fix) {
    return new CheckResult(name, null, Status.FAIL, message, fix);
  }

  public static CheckResult warn(String name, String message, String fix) {
    return new CheckResult(name, null, Status.WARN, message, fix);
  }

  public CheckResult forCloud(Cloud c) {
    return new CheckResult(name, c, status, message, fix);
  }

  /** {@code token.aud[aws]}, or just the name when the result holds for every cloud. */
  public String label() {
    return cloud == null ? name : name + "[" + cloud.flag() + "]";
  }
}
