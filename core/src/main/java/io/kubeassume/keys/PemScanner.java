package io.kubeassume.keys;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the PEM blocks of a text in one pass, in time linear in its length: a
 * {@code -----BEGIN LABEL-----} line, the base64 body, and then, at the next five dashes, its
 * {@code -----END LABEL-----}. A base64 body holds no dash, so the first dashes after a BEGIN
 * line must be its END line; anything else there (another BEGIN, another label, the end of the
 * text) is a broken block, reported once, and the scan stops. Every character is looked at a
 * bounded number of times, so an operator's 1 MiB of BEGIN lines costs milliseconds (a regular
 * expression with a lazy body and a back-reference went back over the rest of the text from
 * every BEGIN: minutes).
 */
final class PemScanner {
  static final String BEGIN = "-----BEGIN ";
  static final String END = "-----END ";
  static final String DASHES = "-----";
  /** Real labels are short ("ENCRYPTED PRIVATE KEY" is 21); a longer one is not a header, and never echoed. */
  static final int MAX_LABEL = 64;

  /** One block: its label, and its body between the header and END lines. */
  record Block(String label, String body) {}

  /** What the scan found: the complete blocks before any problem, and the problem that stopped it (null if none). */
  record Result(List<Block> blocks, String problem) {
    Result {
      blocks = List.copyOf(blocks);
    }
  }

  private PemScanner() {}

  static Result scan(String text) {
    List<Block> blocks = new ArrayList<>();
    int pos = 0;
    while (true) {
      int begin = text.indexOf(BEGIN, pos);
      if (begin < 0) {
        return new Result(blocks, null);
      }
      int labelStart = begin + BEGIN.length();
      int labelEnd = labelStart;
      while (labelEnd < text.length() && labelEnd - labelStart <= MAX_LABEL && isLabelChar(text.charAt(labelEnd))) {
        labelEnd++;
      }
      if (labelEnd == labelStart || labelEnd - labelStart > MAX_LABEL || !text.startsWith(DASHES, labelEnd)) {
        return new Result(blocks, "line " + lineOf(text, begin) + " is not a PEM header: '-----BEGIN ' must be followed "
            + "by a label (capital letters, digits, spaces; at most " + MAX_LABEL + ") and '-----'");
      }
      String label = text.substring(labelStart, labelEnd);
      int bodyStart = labelEnd + DASHES.length();
      String endLine = END + label + DASHES;
      int next = text.indexOf(DASHES, bodyStart);
      if (next < 0 || !text.startsWith(endLine, next)) {
        return new Result(blocks, "PEM block \"" + label + "\" that begins on line " + lineOf(text, begin) + " has no "
            + endLine + " line right after its base64 body; the file is cut off or damaged: give the complete PEM file");
      }
      blocks.add(new Block(label, text.substring(bodyStart, next)));
      pos = next + endLine.length();
    }
  }

  private static boolean isLabelChar(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ';
  }

  /** The 1-based line of {@code offset}; counted only for an error, once. */
  private static int lineOf(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }
}
