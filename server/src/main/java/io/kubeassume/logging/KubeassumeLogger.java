package io.kubeassume.logging;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** An SLF4J logger that writes through {@link LogSettings}; the level is looked up per call, so it can change after start. */
final class KubeassumeLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;

  KubeassumeLogger(String name) {
    this.name = name;
  }

  @Override
  public boolean isTraceEnabled() {
    return LogSettings.enabled(name, Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return LogSettings.enabled(name, Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return LogSettings.enabled(name, Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return LogSettings.enabled(name, Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return LogSettings.enabled(name, Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
      Throwable throwable) {
    String message = MessageFormatter.basicArrayFormat(pattern, arguments);
    LogSettings.write(name, level, message == null ? "" : message, throwable);
  }
}
