package io.kubeassume.logging;

import java.time.Instant;
import org.slf4j.event.Level;

/**
 * One log event, ready to be written.
 *
 * @param error the failure logged with the message, or null
 * @param stackTrace whether the error's stack trace is written (a bug, or a logger at DEBUG), else only its causes
 */
record LogEvent(Instant time, Level level, String logger, String message, Throwable error, boolean stackTrace) {}
