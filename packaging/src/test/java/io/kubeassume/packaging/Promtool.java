package io.kubeassume.packaging;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus's promtool, found as {@code -Dkubeassume.promtool=PATH}, {@code $KUBEASSUME_PROMTOOL},
 * {@code promtool} on the PATH, or {@code ~/.cache/kubeassume/promtool/promtool} (where
 * {@code .ci/run} puts it). Missing: a failure when {@code CI=true} (CI must check the rules), else the
 * test is skipped with a line that says how to get it.
 */
final class Promtool {
  static final String CACHED = ".cache/kubeassume/promtool/promtool";
  static final String HOW_TO_GET_IT = "promtool was not found (-Dkubeassume.promtool, $KUBEASSUME_PROMTOOL, the PATH, ~/"
      + CACHED + "). Install Debian's prometheus package (apt-get install prometheus), or take only promtool out of it"
      + " as .ci/run does: apt-get download prometheus && dpkg-deb --fsys-tarfile prometheus_*.deb | tar -x ./usr/bin/promtool";

  record Result(int exitCode, String output) {}

  private Promtool() {
  }

  /** The promtool binary; skips (or, with CI=true, fails) the calling test if there is none. */
  static Path require() {
    Optional<Path> found = find();
    if (found.isPresent()) {
      return found.get();
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      return fail("CI=true, so the alerting rules must be checked: " + HOW_TO_GET_IT);
    }
    Assumptions.abort("skipped: " + HOW_TO_GET_IT + " (with CI=true this is a failure)");
    throw new AssertionError("unreachable");
  }

  static Optional<Path> find() {
    List<String> candidates = new ArrayList<>();
    candidates.add(System.getProperty("kubeassume.promtool"));
    candidates.add(System.getenv("KUBEASSUME_PROMTOOL"));
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        candidates.add(dir.isEmpty() ? null : Path.of(dir, "promtool").toString());
      }
    }
    candidates.add(Path.of(System.getProperty("user.home"), CACHED).toString());
    return candidates.stream().filter(c -> c != null && !c.isBlank()).map(Path::of)
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
  }

  /** Runs promtool with these arguments in {@code dir}; its exit code and its stdout and stderr together. */
  static Result run(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(require().toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("promtool " + String.join(" ", args) + " did not finish within 2 minutes");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
