package io.kubeassume.logging;

import java.io.PrintStream;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.event.Level;

/**
 * The process-wide log configuration: the level ({@code --log-level}), the format ({@code --log-format})
 * and where lines go (stderr). Set once at start-up, before anything logs; tests capture the lines.
 *
 * <p>Some libraries are quieter than the level asks for: Netty and Vert.x log only warnings, the Azure
 * SDK's JDK transport only errors (it warns about a restricted header on every request), fabric8's watch
 * manager only warnings unless the level is debug (it reports every reconnect attempt). fabric8's
 * LeaderElector logs a failure for every failed Lease attempt, every retry period; unless the level is
 * debug those lines are dropped when the failure is an expected one, because {@code LeaderElection}
 * logs each distinct Lease failure once. Its other lines (a bug in the election loop) stay.
 */
public final class LogSettings {
  private static final Map<String, Level> ALWAYS_QUIETER = Map.of(
      "io.netty", Level.WARN,
      "io.vertx", Level.WARN,
      "com.azure.core.http.jdk.httpclient.JdkHttpClient", Level.ERROR);
  private static final Map<String, Level> QUIETER_UNLESS_DEBUG = Map.of(
      "io.fabric8.kubernetes.client.dsl.internal.AbstractWatchManager", Level.WARN);
  private static final String LEADER_ELECTOR = "io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector";

  private record State(Level level, LogFormat format, Consumer<String> sink, Clock clock) {}

  private static volatile State state = new State(Level.INFO, LogFormat.TEXT, stderr(), Clock.systemUTC());
  private static volatile int version;
  private static final TextLayout TEXT = new TextLayout(ZoneId.systemDefault());
  private static final JsonLayout JSON = new JsonLayout();

  private LogSettings() {}

  public static void level(Level level) {
    State s = state;
    state = new State(level, s.format(), s.sink(), s.clock());
    version++;
  }

  /** Changes with every change of the level, so loggers can keep their effective level until then. */
  static int version() {
    return version;
  }

  public static Level level() {
    return state.level();
  }

  public static void format(LogFormat format) {
    State s = state;
    state = new State(s.level(), format, s.sink(), s.clock());
  }

  public static LogFormat format() {
    return state.format();
  }

  /** Sends every line to {@code sink} instead of stderr until the returned handle is closed (for tests). */
  public static Capture capture(Consumer<String> sink) {
    State before;
    synchronized (LogSettings.class) {
      before = state;
      state = new State(before.level(), before.format(), sink, before.clock());
    }
    return () -> {
      synchronized (LogSettings.class) {
        State now = state;
        state = new State(now.level(), now.format(), before.sink(), now.clock());
      }
    };
  }

  /** Undoes a {@link #capture}. */
  public interface Capture extends AutoCloseable {
    @Override
    void close();
  }

  /** The level a logger writes at: the configured one, or quieter for the libraries named above. */
  static Level effectiveLevel(String logger) {
    Level level = state.level();
    Level quieter = longestPrefix(ALWAYS_QUIETER, logger);
    if (quieter == null && level.toInt() > Level.DEBUG.toInt()) {
      quieter = longestPrefix(QUIETER_UNLESS_DEBUG, logger);
    }
    return quieter != null && quieter.toInt() > level.toInt() ? quieter : level;
  }

  static void write(String logger, Level level, String message, Throwable error) {
    State s = state;
    boolean debug = effectiveLevel(logger).toInt() <= Level.DEBUG.toInt();
    boolean expected = error != null && ExpectedFailures.expected(error);
    if (expected && !debug && logger.equals(LEADER_ELECTOR)) {
      return; // reported once per distinct failure by LeaderElection
    }
    if (s.level().toInt() > Level.DEBUG.toInt() && (LibraryNoise.peerWentAway(logger, message, error)
        || (error != null && (LibraryNoise.promiseFailedTwice(logger, error)
            || LibraryNoise.notifiedAfterShutdown(logger, error))))) {
      return;
    }
    // Expected failures (I/O, timeouts, API server answers) are one line; a bug, or a logger at DEBUG, gets its stack trace.
    boolean trace = error != null && (!expected || debug);
    LogEvent event = new LogEvent(s.clock().instant(), level, logger, message, error, trace);
    String line = s.format() == LogFormat.JSON ? JSON.render(event) : TEXT.render(event);
    s.sink().accept(line);
  }

  private static Level longestPrefix(Map<String, Level> levels, String logger) {
    String best = null;
    for (String prefix : levels.keySet()) {
      if ((logger.equals(prefix) || logger.startsWith(prefix + ".")) && (best == null || prefix.length() > best.length())) {
        best = prefix;
      }
    }
    return best == null ? null : levels.get(best);
  }

  private static Consumer<String> stderr() {
    PrintStream err = System.err;
    return line -> {
      synchronized (err) {
        err.println(line);
      }
    };
  }
}
