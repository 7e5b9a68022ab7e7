package io.kubeassume.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** What a person sees of the command line: help that can be copied from, typos answered with the closest name. */
class CommandLineHelpTest {
  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    CommandLine cmd = KubeassumeCommand.commandLine(Map.of());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    return new Run(cmd.execute(args), out.toString(), err.toString());
  }

  /** Every command, by its words below kubeassume ("" is kubeassume itself, "setup aws", ...), help excluded. */
  static Map<String, CommandSpec> everyCommand() {
    Map<String, CommandSpec> out = new LinkedHashMap<>();
    walk(KubeassumeCommand.commandLine(Map.of()), "", out);
    return out;
  }

  private static void walk(CommandLine cmd, String path, Map<String, CommandSpec> out) {
    if (cmd.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
      return;
    }
    out.put(path, cmd.getCommandSpec());
    cmd.getSubcommands().forEach((name, sub) -> walk(sub, path.isEmpty() ? name : path + " " + name, out));
  }

  static String help(String path) {
    List<String> args = new ArrayList<>(path.isEmpty() ? List.of() : Arrays.asList(path.split(" ")));
    args.add("--help");
    Run r = run(args.toArray(String[]::new));
    assertEquals(0, r.exit(), path + " --help: " + r.err());
    return r.out();
  }

  @Test
  void helpNeverBreaksAUrlOrAnIdentifier() {
    String all = "";
    for (Map.Entry<String, CommandSpec> c : everyCommand().entrySet()) {
      String help = help(c.getKey());
      all += help;
      Set<String> shown = new HashSet<>(Arrays.asList(help.split("\\s+")));
      for (OptionSpec o : c.getValue().options()) {
        for (String word : String.join(" ", o.description()).split("\\s+")) {
          assertTrue(shown.contains(word), "'kubeassume " + c.getKey() + " --help' broke '" + word + "' of " + o.longestName()
              + ":\n" + help);
        }
      }
      for (String line : help.split("\n")) {
        assertTrue(line.length() <= HelpLayout.WIDTH || !line.strip().contains(" "),
            "longer than " + HelpLayout.WIDTH + " columns: '" + line + "'");
      }
    }
    for (String token : List.of("s3://BUCKET/PREFIX,", "https://iam.googleapis.com.", "system:serviceaccount:NS:SA")) {
      assertTrue(Arrays.asList(all.split("\\s+")).contains(token), token + " is shown whole");
    }
  }

  @Test
  void theSynopsisShowsRequiredOptionsAsRequired() {
    int required = 0;
    for (Map.Entry<String, CommandSpec> c : everyCommand().entrySet()) {
      String synopsis = help(c.getKey()).split("\n\n")[0];
      assertTrue(synopsis.startsWith("Usage: kubeassume"), synopsis);
      for (OptionSpec o : c.getValue().options()) {
        if (ConfigurationDocsTest.required(o)) {
          required++;
          String label = o.longestName() + "=" + o.paramLabel();
          assertTrue(synopsis.contains(" " + label) && !synopsis.contains("[" + label), c.getKey() + ": " + synopsis);
        }
      }
    }
    assertTrue(required >= 10, "found the required options: " + required);
    assertEquals("Usage: kubeassume serve (--issuer-url=URL | --issuers=FILE|kubernetes) [OPTIONS]",
        help("serve").lines().findFirst().orElseThrow());
    assertEquals("Usage: kubeassume jwks --keys=PATH", help("jwks").lines().findFirst().orElseThrow());
  }

  @Test
  void everyCommandsHelpEndsWithExamplesThatRun() {
    for (String path : everyCommand().keySet()) {
      String help = help(path);
      int at = help.indexOf("\nExamples:\n");
      assertTrue(at >= 0, "'kubeassume " + path + " --help' ends with examples:\n" + help);
      List<List<String>> examples = examples(help.substring(at));
      assertTrue(!examples.isEmpty() && examples.size() <= 3, path + ": one to three examples: " + examples);
      for (List<String> args : examples) {
        CommandLine.ParseResult parsed;
        try {
          parsed = KubeassumeCommand.commandLine(Map.of()).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
          fail("example of '" + path + "' does not parse: kubeassume " + String.join(" ", args) + ": " + e.getMessage());
          return;
        }
        if (!path.isEmpty() && !args.contains("help")) {
          while (parsed.hasSubcommand()) {
            parsed = parsed.subcommand();
          }
          String ran = parsed.commandSpec().qualifiedName();
          assertTrue(ran.equals("kubeassume " + path) || ran.startsWith("kubeassume " + path + " "),
              "the example runs the command it documents (or one of its subcommands): " + ran);
        }
      }
    }
  }

  /** The arguments of each "  kubeassume ..." line of an Examples section (continued by a trailing backslash). */
  static List<List<String>> examples(String section) {
    List<List<String>> out = new ArrayList<>();
    String[] lines = section.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith("  kubeassume ")) {
        continue;
      }
      StringBuilder command = new StringBuilder(lines[i].strip());
      while (command.toString().endsWith("\\") && i + 1 < lines.length) {
        command.setLength(command.length() - 1);
        command.append(' ').append(lines[++i].strip());
      }
      List<String> args = new ArrayList<>();
      for (String word : command.substring("kubeassume ".length()).strip().split("\\s+")) {
        if (word.startsWith(">") || word.equals("|")) {
          break;
        }
        args.add(word);
      }
      out.add(args);
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "server                             | kubeassume: unknown command 'server'; did you mean serve? (see 'kubeassume --help')",
      "serve --issuer https://h           | kubeassume serve: unknown option '--issuer'; did you mean --issuer-url? (see 'kubeassume serve --help')",
      "jwks --key sa.pub                  | kubeassume jwks: unknown option '--key'; did you mean --keys? (see 'kubeassume jwks --help')",
      "setup gpc                          | kubeassume setup: unknown command 'gpc'; did you mean gcp? (see 'kubeassume setup --help')",
      "help server                        | kubeassume: unknown command 'server'; did you mean serve? (see 'kubeassume --help')",
      "verify --issuer-url https://h --clouds aws | kubeassume verify: unknown option '--clouds'; did you mean --cloud? (see 'kubeassume verify --help')"})
  void aTypoIsAnsweredWithTheClosestName(String args, String expected) {
    Run r = run(args.strip().split("\\s+"));
    assertEquals(2, r.exit(), r.err());
    assertEquals(expected, r.err().strip());
    assertEquals("", r.out());
  }

  @Test
  void helpIsACommand() {
    Run root = run("help");
    assertEquals(0, root.exit(), root.err());
    assertTrue(root.out().startsWith("Usage: kubeassume COMMAND"), root.out());
    Run serve = run("help", "serve");
    assertEquals(0, serve.exit(), serve.err());
    assertTrue(serve.out().startsWith("Usage: kubeassume serve (--issuer-url=URL | --issuers="), serve.out());
    Run setup = run("setup", "help", "gcp");
    assertEquals(0, setup.exit(), setup.err());
    assertTrue(setup.out().startsWith("Usage: kubeassume setup gcp --issuer-url=URL"), setup.out());
  }

  @ParameterizedTest
  @CsvSource({"''", "setup"})
  void noCommandPrintsTheUsageAndExitsTwo(String args) {
    Run r = run(args.isEmpty() ? new String[0] : args.split(" "));
    assertEquals(2, r.exit(), "an incomplete command line is a usage error");
    assertEquals("", r.out(), "nothing on stdout");
    assertTrue(r.err().startsWith("Usage: kubeassume " + (args.isEmpty() ? "" : args + " ") + "COMMAND"), r.err());
    assertTrue(r.err().contains("\nCommands:\n"), r.err());
    assertFalse(r.err().contains("help      %n"), r.err());
  }
}
