package io.kubeassume.logging;

import java.util.Locale;

/** How a log event is written: one line of text (the default), or one JSON object per line. */
public enum LogFormat {
  /** {@code 2026-03-01T12:00:00.000Z INFO KubeassumeServer - message}: for people and {@code kubectl logs}. */
  TEXT,
  /** {@code {"time":...,"level":...,"logger":...,"message":...,"error":...}}: for Loki, Elastic, Cloud Logging. */
  JSON;

  public static LogFormat fromFlag(String value) {
    for (LogFormat f : values()) {
      if (f.flagValue().equals(value)) {
        return f;
      }
    }
    throw new IllegalArgumentException("'" + value + "' is not a log format; use text or json");
  }

  public String flagValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
