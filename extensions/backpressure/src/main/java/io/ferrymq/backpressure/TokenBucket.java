package io.ferrymq.backpressure;

/**
 * A token bucket that may go into debt: a publish always takes its tokens, and the bucket reports how
 * long the publisher must wait until the debt is paid back. A publisher that waits that long each
 * time settles at the bucket's rate, and a message the broker has read is never refused.
 *
 * <p>Not thread-safe: each bucket belongs to one connection and is used on its event loop.
 */
final class TokenBucket {

  private final double tokensPerNano;
  private final double capacity;
  private double tokens;
  private long updatedNanos;

  /**
   * @param perSecond the refill rate, above 0
   * @param capacity the burst: tokens available after a quiet spell, at least 1
   */
  TokenBucket(double perSecond, double capacity, long nowNanos) {
    this.tokensPerNano = perSecond / 1e9;
    this.capacity = capacity;
    this.tokens = capacity;
    this.updatedNanos = nowNanos;
  }

  /** Takes {@code amount} tokens; returns the nanoseconds until the balance is back at zero, or 0 without debt. */
  long take(double amount, long nowNanos) {
    tokens = Math.min(capacity, tokens + (nowNanos - updatedNanos) * tokensPerNano);
    updatedNanos = nowNanos;
    tokens -= amount;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / tokensPerNano);
  }
}
