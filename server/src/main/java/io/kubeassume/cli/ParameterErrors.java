package io.kubeassume.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * What picocli refuses, on one line that names the culprit and, for a typo, the closest command or flag:
 * {@code kubeassume serve: unknown option '--issuer'; did you mean --issuer-url? (see 'kubeassume serve --help')}.
 */
final class ParameterErrors {
  private ParameterErrors() {}

  static int handle(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    String name = cmd.getCommandSpec().qualifiedName();
    PrintWriter err = cmd.getErr();
    err.println(name + ": " + message(e) + " (see '" + name + " --help')");
    err.flush();
    return ExitCodes.USAGE;
  }

  /**
   * The name at the smallest edit distance (letters swapped count as one edit) from {@code typo}, if it is
   * close enough to be a typo of it; picocli's own suggestions miss swapped letters ('gpc' for 'gcp').
   */
  static String closest(String typo, Collection<String> names) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String name : names) {
      int d = distance(typo, name);
      if (d < bestDistance) {
        best = name;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.max(1, typo.replaceFirst("^-+", "").length() / 3) ? best : null;
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  private static List<String> optionNames(CommandLine cmd) {
    List<String> names = new ArrayList<>();
    cmd.getCommandSpec().options().forEach(o -> names.addAll(Arrays.asList(o.names())));
    return names;
  }

  static String message(ParameterException e) {
    java.util.regex.Matcher help = java.util.regex.Pattern.compile("Unknown subcommand '(.*)'\\.").matcher(
        String.valueOf(e.getMessage()));
    if (help.matches()) {
      // 'kubeassume help server': picocli's help command names no alternative.
      String suggestion = closest(help.group(1), e.getCommandLine().getSubcommands().keySet());
      return "unknown command '" + help.group(1) + "'" + (suggestion == null ? "" : "; did you mean " + suggestion + "?");
    }
    if (!(e instanceof UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
      return e.getMessage();
    }
    String first = u.getUnmatched().get(0);
    boolean option = first.startsWith("-");
    String what = option ? "unknown option '" + first.split("=", 2)[0] + "'"
        : !u.getCommandLine().getSubcommands().isEmpty() ? "unknown command '" + first + "'"
        : "unexpected argument '" + first + "'";
    // picocli lists the closest first; more than one is rarely more help than noise.
    String suggestion = u.getSuggestions().stream().filter(s -> s.startsWith("-") == option).findFirst()
        .orElseGet(() -> closest(first.split("=", 2)[0], option ? optionNames(u.getCommandLine())
            : u.getCommandLine().getSubcommands().keySet()));
    return suggestion == null ? what : what + "; did you mean " + suggestion + "?";
  }
}
