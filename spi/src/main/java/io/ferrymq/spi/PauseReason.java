package io.ferrymq.spi;

/** The cause of a pause in reading from a publisher's socket. */
public enum PauseReason {
  /** A {@link PublishThrottle} asked for a pause: the client published faster than its rate limit. */
  RATE_LIMIT,
  /** The {@link PublishGate} is closed: the broker has more queued bytes than its high watermark. */
  OVERLOAD
}
