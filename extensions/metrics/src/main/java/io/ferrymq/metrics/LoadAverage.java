package io.ferrymq.metrics;

/**
 * An exponentially weighted moving average of a counter's rate per minute, as Unix load averages and
 * Mosquitto's {@code $SYS/broker/load/...} topics report it: after each update the average moves
 * towards the latest rate by {@code 1 - exp(-elapsed / window)}.
 *
 * <p>Threading: used by one thread at a time, the {@code $SYS} publisher's.
 */
final class LoadAverage {

  private final double windowSeconds;
  private double perMinute;
  private long lastTotal;

  LoadAverage(double windowSeconds, long initialTotal) {
    this.windowSeconds = windowSeconds;
    this.lastTotal = initialTotal;
  }

  /** Takes the counter's {@code total} after {@code elapsedSeconds} and returns the new average per minute. */
  double update(long total, double elapsedSeconds) {
    if (elapsedSeconds <= 0) {
      return perMinute;
    }
    double latest = (total - lastTotal) * 60.0 / elapsedSeconds;
    double keep = Math.exp(-elapsedSeconds / windowSeconds);
    perMinute = latest + keep * (perMinute - latest);
    lastTotal = total;
    return perMinute;
  }
}
