package io.ferrymq.spi;

/** Why the broker did not deliver a message, as reported to {@link BrokerObserver#onDrop}. */
public enum DropReason {
  /** A session's queue was full. */
  QUEUE_FULL,
  /** A QoS 0 message met a subscriber whose connection could not take more writes. */
  SUBSCRIBER_BUSY,
  /** A rate limit refused the message. */
  THROTTLED,
  /** The dedup extension found the message already delivered. */
  DUPLICATE,
  /** The Message Expiry Interval passed before delivery. */
  EXPIRED,
  /** An authorizer denied the publish. */
  NOT_AUTHORIZED,
  /** The message was moved to the dead-letter topic. */
  DEAD_LETTER,
  /** The packet would exceed the subscriber's Maximum Packet Size. */
  PACKET_TOO_LARGE,
  /** No subscription matched the topic. */
  NO_SUBSCRIBERS,
  /** An interceptor failed or timed out. */
  INTERCEPTOR_FAILED
}
