package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Keeps docs/configuration.md (and the flag tables of the per-command pages) in step with the picocli
 * model: every option of every command has exactly one row naming its environment twin and its real
 * default, and no row names an option the code does not have. A failure says which row to add or fix.
 *
 * <p>Default column grammar: {@code `VALUE`} (the option's built-in default, exactly), {@code required}
 * (the option is required), {@code none...} (optional, no fixed default; text may follow), {@code off}
 * (an on/off flag).
 */
class ConfigurationDocsTest {
  private static final String REFERENCE = "docs/configuration.md";
  /** Per-command pages with their own flag table, and the command each documents. */
  private static final Map<String, String> COMMAND_PAGES = Map.of(
      "docs/verify.md", "verify",
      "docs/status.md", "status",
      "docs/setup-aws.md", "setup aws",
      "docs/setup-gcp.md", "setup gcp",
      "docs/setup-azure.md", "setup azure",
      "docs/setup-oci.md", "setup oci");
  private static final Pattern COMMAND_HEADING = Pattern.compile("`kubeassume ([a-z]+(?: [a-z]+)?)`");

  @Test
  void theReferenceHasOneCompleteAndCorrectTablePerCommand() throws IOException {
    Map<String, CommandSpec> commands = commands();
    List<Table> tables = Table.parse(REFERENCE, read(REFERENCE), null);
    List<String> problems = new ArrayList<>();
    Map<String, Table> byCommand = new LinkedHashMap<>();
    for (Table t : tables) {
      if (t.command == null) {
        problems.add(REFERENCE + ":" + t.line + ": a flag table under a heading that names no command; put it under "
            + "a heading like '## `kubeassume serve`'");
      } else if (!commands.containsKey(t.command)) {
        problems.add(REFERENCE + ":" + t.line + ": stale table: there is no command 'kubeassume " + t.command
            + "'; remove it");
      } else if (byCommand.putIfAbsent(t.command, t) != null) {
        problems.add(REFERENCE + ":" + t.line + ": a second flag table for 'kubeassume " + t.command
            + "'; merge it into the one at line " + byCommand.get(t.command).line);
      }
    }
    for (Map.Entry<String, CommandSpec> c : commands.entrySet()) {
      Table t = byCommand.get(c.getKey());
      if (t == null) {
        problems.add(REFERENCE + ": no section for 'kubeassume " + c.getKey() + "'; add '## `kubeassume " + c.getKey()
            + "`' with a table | Flag | Environment | Default | Meaning | holding these rows:\n"
            + String.join("\n", c.getValue().options().stream().filter(ConfigurationDocsTest::documented)
                .map(ConfigurationDocsTest::suggestedRow).toList()));
        continue;
      }
      problems.addAll(t.check(c.getValue(), true));
    }
    assertNoProblems(problems);
  }

  @Test
  void thePerCommandPagesAgreeWithTheCode() throws IOException {
    Map<String, CommandSpec> commands = commands();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> page : COMMAND_PAGES.entrySet()) {
      List<Table> tables = Table.parse(page.getKey(), read(page.getKey()), page.getValue());
      if (tables.size() != 1) {
        problems.add(page.getKey() + ": expected one flag table (| Flag | Environment | Default | ...), found "
            + tables.size());
        continue;
      }
      problems.addAll(tables.get(0).check(commands.get(page.getValue()), false));
    }
    assertNoProblems(problems);
  }

  /** --help shows each option's twin at the end of its description, and the default the code really uses. */
  @Test
  void everyOptionDescriptionEndsWithItsEnvironmentTwin() {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, CommandSpec> c : commands().entrySet()) {
      for (OptionSpec o : c.getValue().options()) {
        if (!documented(o)) {
          continue;
        }
        String where = "kubeassume " + c.getKey() + " " + o.longestName() + ": description ";
        String text = String.join(" ", o.description()).strip();
        String end = "Env: " + EnvironmentDefaults.variableFor(o.longestName()) + (o.isMultiValue() ? " (comma-separated)" : "");
        if (!text.endsWith(end)) {
          problems.add(where + "must end with '" + end + "': " + text);
        }
        if (o.isMultiValue() && !text.toLowerCase().contains("repeatable")) {
          problems.add(where + "must say it is repeatable: " + text);
        }
        // picocli hands out descriptions with ${DEFAULT-VALUE} already replaced by the option's default.
        if (o.defaultValue() != null && !text.contains("Default: " + o.defaultValue() + ".")) {
          problems.add(where + "must show the built-in default as 'Default: ${DEFAULT-VALUE}.': " + text);
        }
      }
    }
    assertNoProblems(problems);
  }

  @Test
  void theRenderedHelpOfEveryCommandNamesEveryFlagAndItsTwin() {
    for (Map.Entry<String, CommandSpec> c : commands().entrySet()) {
      CommandLine cmd = KubeassumeCommand.commandLine(Map.of());
      StringWriter out = new StringWriter();
      cmd.setOut(new PrintWriter(out));
      String[] args = (c.getKey() + " --help").split(" ");
      assertEquals(0, cmd.execute(args), String.join(" ", args));
      String help = out.toString();
      String description = String.join(" ", c.getValue().usageMessage().description());
      assertTrue(description.contains("Exit code") && description.contains("Every flag has an environment twin"),
          "the description of kubeassume " + c.getKey() + " states its exit codes and that every flag has an "
              + "environment twin: " + description);
      String joined = help.replaceAll("\\s+", "");
      assertTrue(!help.contains("${") && !help.contains("null"), "unresolved text in the help of " + c.getKey() + ":\n" + help);
      for (OptionSpec o : c.getValue().options()) {
        assertTrue(help.contains(o.longestName()), c.getKey() + " --help lists " + o.longestName());
        if (documented(o)) {
          String variable = EnvironmentDefaults.variableFor(o.longestName());
          assertTrue(joined.contains("Env:" + variable), c.getKey() + " --help shows " + variable);
          if (o.defaultValue() != null) {
            assertTrue(joined.contains("Default:" + o.defaultValue().replaceAll("\\s+", "")),
                c.getKey() + " --help shows the default of " + o.longestName());
          }
        }
      }
    }
  }

  /** Each twin really sets its option: a value in the variable alone arrives in the option. */
  @Test
  void everyEnvironmentTwinSetsItsOption() {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, CommandSpec> c : commands().entrySet()) {
      for (OptionSpec o : c.getValue().options()) {
        if (!documented(o)) {
          continue;
        }
        String variable = EnvironmentDefaults.variableFor(o.longestName());
        boolean flag = o.arity().max() == 0;
        String value = flag ? "true" : o.isMultiValue() ? "env-a,env-b" : "env-value";
        CommandLine cmd = KubeassumeCommand.commandLine(Map.of(variable, value));
        cmd.parseArgs(c.getKey().split(" "));
        OptionSpec parsed = subcommand(cmd, c.getKey()).getCommandSpec().findOption(o.longestName());
        Object got = parsed.getValue();
        String seen = got instanceof Collection<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
            : String.valueOf(got);
        if (!seen.equals(value)) {
          problems.add("kubeassume " + c.getKey() + " " + o.longestName() + ": " + variable + "=" + value + " gave " + seen);
        }
      }
    }
    assertNoProblems(problems);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "flag replaces the variable's list | sts.amazonaws.com,other | --audience c        | c",
      "variable's list without the flag  | a,b                     |                    | a,b",
      "empty variable counts as unset    | ''                      |                    | sts.amazonaws.com",
      "comma-separated flag values       | a                       | --audience c,d     | c,d"})
  void repeatableFlagsAndTheirTwinsBehaveAsDocumented(String name, String env, String flags, String expected) {
    CommandLine cmd = KubeassumeCommand.commandLine(Map.of("KUBEASSUME_AUDIENCE", env));
    List<String> args = new ArrayList<>(List.of("setup", "aws"));
    if (flags != null) {
      args.addAll(List.of(flags.split(" ")));
    }
    cmd.parseArgs(args.toArray(String[]::new));
    SetupAwsCommand aws = (SetupAwsCommand) subcommand(cmd, "setup aws").getCommand();
    assertEquals(expected, String.join(",", aws.audiences));
  }

  /** Every example command line in README.md and docs/*.md uses flags its command has. */
  @Test
  void everyExampleCommandLineInTheDocsParses() throws IOException {
    List<String> files = new ArrayList<>(List.of("README.md"));
    try (var docs = Files.list(projectRoot().resolve("docs"))) {
      docs.map(p -> "docs/" + p.getFileName()).filter(n -> n.endsWith(".md")).sorted().forEach(files::add);
    }
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (String file : files) {
      for (Map.Entry<Integer, List<String>> example : examples(read(file)).entrySet()) {
        List<String> args = example.getValue();
        if (args.isEmpty() || args.contains("...")) {
          continue; // an elided example cannot be parsed
        }
        checked++;
        try {
          KubeassumeCommand.commandLine(Map.of()).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
          problems.add(file + ":" + example.getKey() + ": 'kubeassume " + String.join(" ", args) + "': " + e.getMessage());
        }
      }
    }
    assertTrue(checked >= 15, "found the examples (" + checked + ")");
    assertNoProblems(problems);
  }

  /**
   * The arguments of each "java ... -jar server/target/kubeassume.jar ARGS" inside a fenced code block, by line:
   * continuation lines joined, stopped at a comment, pipe or redirection.
   */
  static Map<Integer, List<String>> examples(List<String> lines) {
    Map<Integer, List<String>> out = new LinkedHashMap<>();
    boolean fenced = false;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      int jar = l.indexOf("kubeassume.jar ");
      if (!fenced || !l.contains("java ") || jar < 0) {
        continue;
      }
      int start = i + 1;
      StringBuilder command = new StringBuilder(l.substring(jar + "kubeassume.jar ".length()));
      while (command.toString().endsWith("\\") && i + 1 < lines.size()) {
        command.setLength(command.length() - 1);
        command.append(' ').append(lines.get(++i).strip());
      }
      List<String> args = new ArrayList<>();
      for (String word : command.toString().strip().split("\\s+")) {
        if (word.startsWith("#") || word.equals("|") || word.startsWith(">") || word.startsWith("&")) {
          break;
        }
        args.add(word);
      }
      out.put(start, args);
    }
    return out;
  }

  // ---- the picocli model

  /** Every (sub)command that has options of its own, by its path below kubeassume ("serve", "setup aws"). */
  static Map<String, CommandSpec> commands() {
    Map<String, CommandSpec> out = new LinkedHashMap<>();
    walk(KubeassumeCommand.commandLine(Map.of()), "", out);
    assertTrue(out.keySet().containsAll(List.of("serve", "jwks", "verify", "status", "setup aws", "setup gcp",
        "setup azure", "setup oci")), "the walk finds every command: " + out.keySet());
    return out;
  }

  private static void walk(CommandLine cmd, String path, Map<String, CommandSpec> out) {
    if (cmd.getCommandSpec().options().stream().anyMatch(ConfigurationDocsTest::documented)) {
      out.put(path, cmd.getCommandSpec());
    }
    for (Map.Entry<String, CommandLine> sub : cmd.getSubcommands().entrySet()) {
      walk(sub.getValue(), path.isEmpty() ? sub.getKey() : path + " " + sub.getKey(), out);
    }
  }

  private static CommandLine subcommand(CommandLine root, String path) {
    CommandLine c = root;
    for (String part : path.split(" ")) {
      c = c.getSubcommands().get(part);
    }
    return c;
  }

  /** -h/--help and -V/--version are on every command and documented once, not per table. */
  static boolean documented(OptionSpec o) {
    return !o.usageHelp() && !o.versionHelp();
  }

  static boolean onOff(OptionSpec o) {
    return o.arity().max() == 0;
  }

  static boolean required(OptionSpec o) {
    return o.required() || String.join(" ", o.description()).contains("Required.");
  }

  static String flagCell(OptionSpec o) {
    return o.longestName() + (onOff(o) ? "" : " " + o.paramLabel());
  }

  static String expectedDefault(OptionSpec o) {
    if (o.defaultValue() != null) {
      return "`" + o.defaultValue() + "`";
    }
    return onOff(o) ? "off" : required(o) ? "required" : "none";
  }

  static String suggestedRow(OptionSpec o) {
    String meaning = String.join(" ", o.description()).replaceAll("\\s*Env: .*$", "");
    if (o.defaultValue() != null) {
      meaning = meaning.replace(" Default: " + o.defaultValue() + ".", "");
    }
    return "| `" + flagCell(o).replace("|", "\\|") + "` | `" + EnvironmentDefaults.variableFor(o.longestName()) + "` | "
        + expectedDefault(o) + " | " + meaning + " |";
  }

  // ---- the Markdown side

  record Row(int line, String flagCell, String env, String defaultCell, String meaning) {
    /** The flag name: the first word of the first code span. */
    String flag() {
      String code = codeSpan(flagCell);
      return code == null ? flagCell : code.split(" ")[0];
    }
  }

  /** One flag table: a Markdown table whose header starts with "Flag" and has Environment and Default columns. */
  static final class Table {
    final String file;
    final int line;
    final String command;
    final List<Row> rows = new ArrayList<>();

    Table(String file, int line, String command) {
      this.file = file;
      this.line = line;
      this.command = command;
    }

    static List<Table> parse(String file, List<String> lines, String fixedCommand) {
      List<Table> tables = new ArrayList<>();
      String heading = null;
      for (int i = 0; i < lines.size(); i++) {
        String l = lines.get(i).strip();
        if (l.startsWith("#")) {
          Matcher m = COMMAND_HEADING.matcher(l);
          heading = m.find() ? m.group(1) : null;
          continue;
        }
        if (!l.startsWith("|") || i + 1 >= lines.size() || !lines.get(i + 1).strip().matches("\\|[\\s|:-]+\\|")) {
          continue;
        }
        List<String> header = cells(l).stream().map(h -> h.toLowerCase()).toList();
        int env = indexOf(header, "env", "environment");
        int def = indexOf(header, "default");
        if (header.isEmpty() || !header.get(0).equals("flag") || env < 0 || def < 0) {
          continue;
        }
        int meaning = indexOf(header, "meaning");
        Table t = new Table(file, i + 1, fixedCommand != null ? fixedCommand : heading);
        int j = i + 2;
        for (; j < lines.size() && lines.get(j).strip().startsWith("|"); j++) {
          List<String> c = cells(lines.get(j).strip());
          t.rows.add(new Row(j + 1, c.get(0), cell(c, env), cell(c, def), meaning < 0 ? null : cell(c, meaning)));
        }
        tables.add(t);
        i = j - 1;
      }
      return tables;
    }

    /** Problems with this table as the documentation of {@code spec}; {@code strict} also checks labels and meaning. */
    List<String> check(CommandSpec spec, boolean strict) {
      List<String> problems = new ArrayList<>();
      String where = file + " (table of 'kubeassume " + command + "' at line " + line + ")";
      Map<String, Row> byFlag = new LinkedHashMap<>();
      for (Row r : rows) {
        String at = file + ":" + r.line + ": row " + r.flagCell + ": ";
        OptionSpec o = spec.findOption(r.flag());
        if (codeSpan(r.flagCell) == null || !r.flagCell.equals("`" + codeSpan(r.flagCell) + "`")) {
          problems.add(at + "the Flag cell must be one code span like `--issuer-url URL`");
          continue;
        }
        if (o == null || !documented(o)) {
          problems.add(at + "stale row: 'kubeassume " + command + "' has no option " + r.flag() + "; remove the row");
          continue;
        }
        if (byFlag.putIfAbsent(o.longestName(), r) != null) {
          problems.add(at + "second row for " + o.longestName() + "; keep one");
          continue;
        }
        String label = codeSpan(r.flagCell);
        if ((strict || label.contains(" ")) && !label.equals(flagCell(o))) {
          problems.add(at + "Flag cell must be `" + flagCell(o) + "` (the name and --help's label)");
        }
        String variable = "`" + EnvironmentDefaults.variableFor(o.longestName()) + "`";
        if (!r.env.equals(variable)) {
          problems.add(at + "Environment cell must be " + variable + ", is '" + r.env + "'");
        }
        String expected = expectedDefault(o);
        boolean ok = expected.equals("none") ? r.defaultCell.startsWith("none") : r.defaultCell.equals(expected);
        if (!ok) {
          problems.add(at + "Default cell must be " + (expected.equals("none") ? "'none' (optionally followed by what "
              + "happens without it)" : "'" + expected + "'") + ", is '" + r.defaultCell + "'"
              + (o.defaultValue() != null ? " (the code's default is " + o.defaultValue() + ")" : ""));
        }
        if (strict && o.isMultiValue() && (r.meaning == null || !r.meaning.toLowerCase().contains("repeatable"))) {
          problems.add(at + "Meaning must say 'Repeatable.' (" + o.longestName() + " takes several values)");
        }
        if (strict && (r.meaning == null || r.meaning.isBlank())) {
          problems.add(at + "Meaning is empty");
        }
      }
      for (OptionSpec o : spec.options()) {
        if (documented(o) && !byFlag.containsKey(o.longestName())) {
          problems.add(where + ": missing row for " + o.longestName() + "; add:\n" + suggestedRow(o));
        }
      }
      return problems;
    }

    private static int indexOf(List<String> header, String... names) {
      for (String n : names) {
        if (header.contains(n)) {
          return header.indexOf(n);
        }
      }
      return -1;
    }

    private static String cell(List<String> cells, int i) {
      return i < cells.size() ? cells.get(i) : "";
    }

    /** The cells of a table line; "\|" is a pipe inside a cell. */
    static List<String> cells(String line) {
      String inner = line.substring(1, line.endsWith("|") && line.length() > 1 ? line.length() - 1 : line.length());
      List<String> out = new ArrayList<>();
      for (String c : inner.split("(?<!\\\\)\\|", -1)) {
        out.add(c.replace("\\|", "|").strip());
      }
      return out;
    }
  }

  static String codeSpan(String cell) {
    Matcher m = Pattern.compile("`([^`]+)`").matcher(cell);
    return m.find() ? m.group(1) : null;
  }

  static List<String> read(String relative) throws IOException {
    return Files.readAllLines(projectRoot().resolve(relative));
  }

  /** The repository root: tests run in server/, but walk up so any working directory below the root works. */
  static Path projectRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve(REFERENCE))) {
        return p;
      }
    }
    throw new IllegalStateException(REFERENCE + " not found above " + Path.of("").toAbsolutePath());
  }

  private static void assertNoProblems(List<String> problems) {
    if (!problems.isEmpty()) {
      fail(problems.size() + " problem(s):\n" + String.join("\n", problems));
    }
  }
}
