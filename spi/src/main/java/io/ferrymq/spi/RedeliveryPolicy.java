package io.ferrymq.spi;

/**
 * How often the broker sends an unacknowledged outbound QoS 1 or 2 PUBLISH, and where it goes when
 * it runs out of attempts.
 *
 * <p>Every send of a PUBLISH to a subscriber counts as one delivery attempt: the first send, a resend
 * after a reconnect (all protocol versions) and a retransmission within a connection (MQTT 3.1.1
 * only, because MQTT 5 allows resending only after a reconnect [MQTT-4.4.0-1]). The count belongs to
 * the in-flight message in the session, so it survives reconnects; it starts again at 1 after a
 * broker restart, since stores do not keep it.
 *
 * <p>Threading: called on the subscriber session's event loop; implementations must be thread-safe
 * and must not block.
 */
public interface RedeliveryPolicy {

  /** Delivery attempts before a message is dead-lettered; 0 means no limit. */
  int maxDeliveryAttempts();

  /**
   * Returns the delay before an MQTT 3.1.1 subscriber gets an unacknowledged PUBLISH again within its
   * connection, or a negative value for no retransmission.
   *
   * @param attempts how many times the message has been sent so far, at least 1
   */
  long retransmitDelayMillis(int attempts);

  /**
   * Builds the message that replaces an undeliverable one, which the broker routes like a client's
   * publish; or returns {@code null} to drop the message.
   *
   * @param original the message as its publisher sent it
   * @param clientId the subscriber that did not acknowledge it
   * @param attempts how many times it was sent
   */
  Message deadLetter(Message original, String clientId, int attempts);
}
