package io.kubeassume.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * How {@code --help} looks: 100 columns, lines broken only between words, so URLs and identifiers
 * ({@code s3://BUCKET/PREFIX}, {@code system:serviceaccount:NS:SA}) can be copied whole; required
 * options without brackets in the synopsis; the command's examples last, exactly as written.
 */
final class HelpLayout {
  static final int WIDTH = 100;
  /** Joins two words that must stay on one line. */
  private static final char GLUE = '\u0000';
  /** Where option descriptions start. */
  private static final int DESCRIPTION_COLUMN = 30;
  private static final Pattern REQUIRED_UNLESS = Pattern.compile("Required, unless (--[a-z-]+)");

  private HelpLayout() {}

  /** Applies this layout to {@code cmd} and every subcommand it has now. */
  static void apply(CommandLine cmd) {
    cmd.setUsageHelpWidth(WIDTH);
    Map<String, CommandLine.IHelpSectionRenderer> sections = cmd.getHelpSectionMap();
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS_HEADING, help -> "");
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS, HelpLayout::synopsis);
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION, HelpLayout::description);
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST_HEADING, help -> "\nOptions:\n");
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, HelpLayout::options);
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST_HEADING,
        help -> help.subcommands().isEmpty() ? "" : "\nCommands:\n");
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, HelpLayout::commands);
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, HelpLayout::footer);
    cmd.setHelpSectionMap(sections);
  }

  /** An option that must be given (picocli's required, or "Required." in its description, checked by the command). */
  static boolean required(OptionSpec o) {
    return o.required() || String.join(" ", o.description()).contains("Required.");
  }

  /** The option that may replace {@code o} ("Required, unless --issuers ..." in its description), else null. */
  static OptionSpec alternative(CommandSpec spec, OptionSpec o) {
    Matcher m = REQUIRED_UNLESS.matcher(String.join(" ", o.description()));
    return m.find() ? spec.findOption(m.group(1)) : null;
  }

  /** {@code kubeassume serve (--issuer-url=URL | --issuers=FILE|kubernetes) [OPTIONS]}: what must be given, then the rest. */
  static String synopsis(Help help) {
    CommandSpec spec = help.commandSpec();
    StringBuilder b = new StringBuilder(spec.qualifiedName());
    boolean optional = false;
    for (OptionSpec o : spec.options()) {
      OptionSpec instead = alternative(spec, o);
      if (required(o)) {
        b.append(' ').append(label(o));
      } else if (instead != null) {
        b.append(" (").append(label(o)).append(" | ").append(label(instead)).append(')');
        optional = true;
      } else if (!o.usageHelp() && !o.versionHelp()) {
        optional = true;
      }
    }
    if (optional) {
      b.append(" [OPTIONS]");
    }
    if (!spec.subcommands().isEmpty()) {
      b.append(" COMMAND");
    }
    return wrap("Usage: " + b, 0, 7) + "\n\n";
  }

  static String description(Help help) {
    StringBuilder b = new StringBuilder();
    for (String paragraph : help.commandSpec().usageMessage().description()) {
      b.append(wrap(plain(paragraph), 0, 0)).append('\n');
    }
    return b.toString();
  }

  static String options(Help help) {
    StringBuilder b = new StringBuilder();
    for (OptionSpec o : help.commandSpec().options()) {
      if (o.hidden()) {
        continue;
      }
      String names = "  " + (o.shortestName().equals(o.longestName()) ? "    " : o.shortestName() + ", ") + label(o);
      String text = plain(String.join(" ", o.description()));
      if (names.length() + 2 > DESCRIPTION_COLUMN) {
        b.append(names).append('\n').append(wrap(" ".repeat(DESCRIPTION_COLUMN) + text, DESCRIPTION_COLUMN, DESCRIPTION_COLUMN));
      } else {
        b.append(wrap(names + " ".repeat(DESCRIPTION_COLUMN - names.length()) + text, DESCRIPTION_COLUMN, DESCRIPTION_COLUMN));
      }
      b.append('\n');
    }
    return b.toString();
  }

  static String commands(Help help) {
    Map<String, Help> subcommands = help.subcommands();
    if (subcommands.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, Help> sub : subcommands.entrySet()) {
      CommandLine.Model.UsageMessageSpec usage = sub.getValue().commandSpec().usageMessage();
      String[] summary = usage.header().length > 0 ? usage.header() : usage.description();
      String first = summary.length == 0 ? "" : firstSentence(plain(summary[0]));
      String name = "  " + sub.getKey();
      b.append(wrap(name + " ".repeat(Math.max(2, 12 - name.length())) + first, 12, 12)).append('\n');
    }
    return b.toString();
  }

  /** The footer (the examples) exactly as written: a command line must not be re-wrapped. */
  static String footer(Help help) {
    StringBuilder b = new StringBuilder();
    for (String line : help.commandSpec().usageMessage().footer()) {
      b.append(line).append('\n');
    }
    return b.toString();
  }

  /** picocli's line-break specifier (used by its own help command) as plain text. */
  private static String plain(String text) {
    return text.replace("%n", " ").strip();
  }

  private static String label(OptionSpec o) {
    return o.arity().max() == 0 ? o.longestName() : o.longestName() + "=" + o.paramLabel();
  }

  /** Up to the first ". " or ": " that ends a sentence (not the one of "e.g. "). */
  private static String firstSentence(String text) {
    String masked = text.replace("e.g. ", "e.g._").replace("i.e. ", "i.e._");
    int end = masked.indexOf(": ");
    int dot = masked.indexOf(". ");
    int cut = end < 0 ? dot : dot < 0 ? end : Math.min(end, dot);
    return cut < 0 ? text : text.substring(0, cut) + (cut == dot ? "." : "");
  }

  /**
   * Breaks {@code text} into lines of at most {@link #WIDTH} columns, only at spaces; a word longer than a
   * line stands alone, unbroken. The first line keeps the text's own indentation; the others get {@code indent}.
   *
   * @param firstIndent how much of the first line is indentation or a label (never broken)
   */
  static String wrap(String text, int firstIndent, int indent) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder(text.substring(0, Math.min(firstIndent, text.length())));
    boolean empty = true;
    // "Env: KUBEASSUME_PORT" and "Default: 8080" stay on one line.
    String body = text.substring(Math.min(firstIndent, text.length())).replace("Env: ", "Env:" + GLUE)
        .replace("Default: ", "Default:" + GLUE);
    for (String glued : body.split(" ")) {
      String word = glued.replace(GLUE, ' ');
      if (word.isEmpty()) {
        continue;
      }
      if (!empty && line.length() + 1 + word.length() > WIDTH) {
        lines.add(line.toString());
        line = new StringBuilder(" ".repeat(indent));
        empty = true;
      }
      if (!empty) {
        line.append(' ');
      }
      line.append(word);
      empty = false;
    }
    lines.add(line.toString());
    return String.join("\n", lines);
  }
}
