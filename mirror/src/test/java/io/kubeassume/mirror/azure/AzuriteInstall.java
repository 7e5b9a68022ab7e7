package io.kubeassume.mirror.azure;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds Azurite (the Azure Storage emulator, from npm) or installs it once into a per-user cache,
 * so {@code mvn verify} works on a fresh machine that has Node.js and npm. {@code .ci/run}
 * pre-installs into the same place with the same command.
 */
final class AzuriteInstall {
  /** 3.35.0 is the last release that runs on Node 20 (3.37 needs Node 22). */
  static final String VERSION = "3.35.0";
  private static final String HOW_TO_GET_NODE =
      "Azurite (the Azure Blob emulator these tests run against) needs Node.js 18 or 20 with npm on the PATH:"
          + " install them (Debian/Ubuntu: apt-get install -y nodejs npm) and run the tests again";

  private AzuriteInstall() {}

  /**
   * {@code azurite-<version>} in the tests' one cache directory: the {@code kubeassume.test.cache} property
   * (the build sets it from {@code KUBEASSUME_TEST_CACHE}, else {@code ~/.cache/kubeassume}), else that
   * variable, else {@code ~/.cache/kubeassume} (a test run from an IDE).
   */
  static Path dir() {
    return cacheDir().resolve("azurite-" + VERSION);
  }

  static Path cacheDir() {
    String property = System.getProperty("kubeassume.test.cache");
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    String variable = System.getenv("KUBEASSUME_TEST_CACHE");
    if (variable != null && !variable.isBlank()) {
      return Path.of(variable);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "kubeassume");
  }

  static Path blobMain(Path dir) {
    return dir.resolve("node_modules/azurite/dist/src/blob/main.js");
  }

  /** The blob service entry point, installing Azurite first if it is missing. */
  static Path ensureInstalled() throws IOException, InterruptedException {
    Path dir = dir();
    Path main = blobMain(dir);
    requireNode();
    if (Files.isRegularFile(main)) {
      return main;
    }
    Files.createDirectories(dir.getParent());
    // Several builds on one machine may get here at once: one installs, the others wait for it.
    Path lockFile = dir.resolveSibling(dir.getFileName() + ".lock");
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = ch.lock()) {
      if (!Files.isRegularFile(main)) {
        install(dir);
      }
    }
    if (!Files.isRegularFile(main)) {
      throw new IllegalStateException("npm installed azurite@" + VERSION + " into " + dir + " but " + main + " is missing");
    }
    return main;
  }

  private static void requireNode() throws InterruptedException {
    for (String tool : List.of("node", "npm")) {
      try {
        Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
          throw new IllegalStateException("'" + tool + " --version' failed. " + HOW_TO_GET_NODE);
        }
      } catch (IOException e) {
        throw new IllegalStateException("'" + tool + "' was not found. " + HOW_TO_GET_NODE, e);
      }
    }
  }

  private static void install(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path log = Files.createTempFile("azurite-npm-install", ".log");
    Process p = new ProcessBuilder("npm", "install", "--prefix", dir.toString(), "azurite@" + VERSION, "--no-audit", "--no-fund")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("npm install azurite@" + VERSION + " did not finish within 10 minutes; log: " + log);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException("npm install azurite@" + VERSION + " into " + dir + " failed (exit " + p.exitValue()
          + "):\n" + Files.readString(log, StandardCharsets.UTF_8));
    }
  }
}
