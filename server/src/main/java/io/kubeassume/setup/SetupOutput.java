package io.kubeassume.setup;

import java.io.PrintWriter;

/**
 * Where a setup reports: each call as it is made (or would be, with --dry-run), then the results.
 * Dry-run and real run print through the same methods, so the listed calls are the executed ones.
 */
public final class SetupOutput {
  private final PrintWriter out;
  private final boolean dryRun;

  public SetupOutput(PrintWriter out, boolean dryRun) {
    this.out = out;
    this.dryRun = dryRun;
    if (dryRun) {
      out.println("# --dry-run: no request is sent and nothing is changed. The calls a real run makes:");
    }
  }

  public boolean dryRun() {
    return dryRun;
  }

  public void call(Call call) {
    out.println((dryRun ? "would call: " : "call: ") + call.render());
    out.flush();
  }

  /** A note on a call a dry-run cannot decide without reading the cloud (it makes no request). */
  public void note(String text) {
    out.println("# " + text);
    out.flush();
  }

  public void result(String label, String value) {
    out.println(label + ": " + value);
    out.flush();
  }

  public void block(String title, String text) {
    out.println();
    out.println(title);
    out.println(text);
    out.flush();
  }
}
