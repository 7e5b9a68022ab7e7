package io.kubeassume.packaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A Dockerfile as a list of instructions, joined over line continuations, comments dropped. */
final class DockerfileInstructions {
  record Instruction(int stage, String keyword, String arguments) {
  }

  final List<Instruction> instructions;
  final int stages;

  private DockerfileInstructions(List<Instruction> instructions, int stages) {
    this.instructions = instructions;
    this.stages = stages;
  }

  static DockerfileInstructions parse(String text) {
    List<Instruction> result = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int stage = -1;
    for (String raw : text.split("\n", -1)) {
      String line = raw.strip();
      if (current.length() == 0 && (line.isEmpty() || line.startsWith("#"))) {
        continue; // comments and parser directives
      }
      if (current.length() > 0 && line.startsWith("#")) {
        continue; // a comment inside a continued instruction
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      String joined = current.toString().strip();
      current.setLength(0);
      int space = joined.indexOf(' ');
      String keyword = (space < 0 ? joined : joined.substring(0, space)).toUpperCase(Locale.ROOT);
      String args = space < 0 ? "" : joined.substring(space + 1).strip();
      if (keyword.equals("FROM")) {
        stage++;
      }
      result.add(new Instruction(stage, keyword, args));
    }
    return new DockerfileInstructions(result, stage + 1);
  }

  List<Instruction> all(String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  List<Instruction> inFinalStage(String keyword) {
    return all(keyword).stream().filter(i -> i.stage() == stages - 1).toList();
  }
}
