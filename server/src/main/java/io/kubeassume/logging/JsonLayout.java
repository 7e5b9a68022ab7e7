package io.kubeassume.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One JSON object per line: {@code time} (ISO-8601, UTC), {@code level}, {@code logger}, {@code message},
 * and, when a failure is logged, {@code error} (its causes on one line) and {@code stackTrace} (only
 * when the event has one). The field names are what Loki, Elastic and Cloud Logging pick up by default
 * or with one mapping; Cloud Logging reads {@code severity}, which is the level again.
 */
final class JsonLayout {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
      .withZone(ZoneOffset.UTC);

  String render(LogEvent e) {
    StringBuilder b = new StringBuilder(192).append('{');
    field(b, "time", TIME.format(e.time())).append(',');
    field(b, "level", e.level().toString()).append(',');
    field(b, "severity", severity(e)).append(',');
    field(b, "logger", e.logger()).append(',');
    field(b, "message", e.message());
    if (e.error() != null) {
      b.append(',');
      field(b, "error", ExpectedFailures.summary(e.error()));
      if (e.stackTrace()) {
        StringWriter trace = new StringWriter();
        e.error().printStackTrace(new PrintWriter(trace));
        b.append(',');
        field(b, "stackTrace", trace.toString().stripTrailing());
      }
    }
    return b.append('}').toString();
  }

  /** Cloud Logging's severity names: DEBUG, INFO, WARNING, ERROR. */
  private static String severity(LogEvent e) {
    return switch (e.level()) {
      case TRACE, DEBUG -> "DEBUG";
      case INFO -> "INFO";
      case WARN -> "WARNING";
      case ERROR -> "ERROR";
    };
  }

  private static StringBuilder field(StringBuilder b, String name, String value) {
    b.append('"').append(name).append("\":");
    if (value == null) {
      return b.append("null");
    }
    b.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"');
  }
}
