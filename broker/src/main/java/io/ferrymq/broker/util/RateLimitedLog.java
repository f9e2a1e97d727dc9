package io.ferrymq.broker.util;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a repeating warning at most once per interval and counts the repeats in between, so that a
 * flood of one event cannot flood the log. Thread-safe and lock-free.
 */
public final class RateLimitedLog {

  private final Logger logger;
  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  public RateLimitedLog(Logger logger, long intervalMillis) {
    this.logger = logger;
    this.intervalNanos = intervalMillis * 1_000_000L;
  }

  /** Logs at WARN unless a line went out within the interval; the line says how many were skipped. */
  public void warn(String format, Object... args) {
    String line = admit(format);
    if (line != null) {
      logger.warn(line, args);
    }
  }

  /** Logs at INFO, for client misbehaviour, with the same limit as {@link #warn}. */
  public void info(String format, Object... args) {
    if (!logger.isInfoEnabled()) {
      return;
    }
    String line = admit(format);
    if (line != null) {
      logger.info(line, args);
    }
  }

  /** Returns the format to log now, with the count of skipped lines added, or null inside the interval. */
  private String admit(String format) {
    long now = System.nanoTime();
    long allowed = nextAllowed.get();
    if ((allowed != Long.MIN_VALUE && now - allowed < 0) || !nextAllowed.compareAndSet(allowed, now + intervalNanos)) {
      suppressed.incrementAndGet();
      return null;
    }
    long skipped = suppressed.getAndSet(0);
    return skipped > 0 ? format + " (" + skipped + " similar lines skipped)" : format;
  }
}
