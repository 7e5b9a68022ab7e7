package io.kubeassume.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The JVM sizing flags (-X..., -XX:...) recommended in README.md, and those in other places. */
final class JvmFlags {
  private static final Pattern README_BLOCK =
      Pattern.compile("\\bjava ([^`]*?)-jar server/target/kubeassume\\.jar");

  private JvmFlags() {
  }

  static List<String> fromReadme() throws IOException {
    String readme = Files.readString(Repo.file("README.md"));
    Matcher m = README_BLOCK.matcher(readme);
    List<String> found = null;
    while (m.find()) {
      List<String> flags = sizing(m.group(1));
      if (!flags.isEmpty()) {
        if (found != null && !found.equals(flags)) {
          throw new IllegalStateException("README.md recommends two different JVM flag sets: " + found + " and " + flags);
        }
        found = flags;
      }
    }
    if (found == null) {
      throw new IllegalStateException("README.md has no `java -X... -jar server/target/kubeassume.jar` example");
    }
    return found;
  }

  /**
   * The -X and -XX flags of a command line, in order (system properties and the rest are left out;
   * so is the class-data sharing archive, which the image passes in its entrypoint).
   */
  static List<String> sizing(String commandLine) {
    return Arrays.stream(commandLine.replace("\\\n", " ").split("[\\s\"',\\[\\]]+"))
        .filter(t -> t.startsWith("-X") && !t.startsWith("-XX:SharedArchiveFile="))
        .collect(Collectors.toList());
  }
}
