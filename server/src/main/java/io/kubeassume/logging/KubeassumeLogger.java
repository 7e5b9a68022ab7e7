package io.kubeassume.logging;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * An SLF4J logger that writes through {@link LogSettings}. Its effective level is kept until the configured
 * level changes (--log-level is applied after some loggers exist), so a check on a hot path (Netty, Vert.x)
 * costs a volatile read.
 */
final class KubeassumeLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;

  /** The effective level as an int, valid for {@link #levelVersion}. */
  private transient volatile int level;
  private transient volatile int levelVersion = -1;

  KubeassumeLogger(String name) {
    this.name = name;
  }

  private boolean enabled(Level wanted) {
    int version = LogSettings.version();
    if (levelVersion != version) {
      level = LogSettings.effectiveLevel(name).toInt();
      levelVersion = version;
    }
    return wanted.toInt() >= level;
  }

  @Override
  public boolean isTraceEnabled() {
    return enabled(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return enabled(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return enabled(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return enabled(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return enabled(Level.ERROR);
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
