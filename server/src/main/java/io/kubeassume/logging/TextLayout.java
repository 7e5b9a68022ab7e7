package io.kubeassume.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * {@code 2026-03-01T12:00:00.000+00:00 WARN LeaderElection - message; cause: ...}: one line per event,
 * followed by the stack trace only when the event asks for one.
 */
final class TextLayout {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

  private final ZoneId zone;

  TextLayout(ZoneId zone) {
    this.zone = zone;
  }

  String render(LogEvent e) {
    StringBuilder b = new StringBuilder(128);
    b.append(TIME.format(e.time().atZone(zone))).append(' ').append(e.level()).append(' ')
        .append(shortName(e.logger())).append(" - ").append(e.message());
    if (e.error() != null) {
      if (e.stackTrace()) {
        StringWriter trace = new StringWriter();
        e.error().printStackTrace(new PrintWriter(trace));
        b.append(System.lineSeparator()).append(trace.toString().stripTrailing());
      } else {
        b.append("; cause: ").append(ExpectedFailures.summary(e.error()));
      }
    }
    return b.toString();
  }

  /** The class name without its package, as slf4j-simple's showShortLogName printed it. */
  static String shortName(String logger) {
    return logger.substring(logger.lastIndexOf('.') + 1);
  }
}
