package io.ferrymq.spi;

/**
 * Bounds of each session's queue of messages waiting for an in-flight slot or a reconnect, and what
 * the broker does with a message that finds the queue full.
 *
 * @param maxMessages the most messages one session may queue; 0 queues nothing
 * @param maxBytes the most payload bytes one session may queue; 0 queues nothing
 * @param qos0 what happens to QoS 0 deliveries when the queue is full
 * @param qos1And2 what happens to QoS 1 and 2 deliveries when the queue is full
 */
public record QueueLimits(int maxMessages, long maxBytes, Qos0Overflow qos0, ReliableOverflow qos1And2) {

  public QueueLimits {
    if (maxMessages < 0) {
      throw new IllegalArgumentException("maxMessages must be 0 or more, got " + maxMessages);
    }
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be 0 or more, got " + maxBytes);
    }
    java.util.Objects.requireNonNull(qos0, "qos0");
    java.util.Objects.requireNonNull(qos1And2, "qos1And2");
  }

  /** The fate of a QoS 0 delivery that finds its session's queue full. */
  public enum Qos0Overflow {
    /** Queued QoS 0 messages are dropped, oldest first, to make room; the new one is dropped only without any. */
    DROP_OLDEST,
    /** The new message is dropped. */
    DROP_NEWEST
  }

  /** The fate of a QoS 1 or 2 delivery that finds its session's queue full. */
  public enum ReliableOverflow {
    /**
     * The publish is not acknowledged as a success: MQTT 5 publishers get PUBACK or PUBREC with 0x97
     * (Quota exceeded), MQTT 3.1.1 publishers are disconnected and resend after reconnecting.
     */
    REJECT_PUBLISH,
    /**
     * The publisher gets its normal acknowledgement and the message is dropped for the full session.
     * That session's client is disconnected with 0x97 (Quota exceeded), so that it stops holding up
     * the queue. Its session keeps what it had queued.
     */
    DISCONNECT_SUBSCRIBER
  }
}
