package io.ferrymq.broker.session;

/**
 * The write side of a client connection as a session sees it. Implemented by the protocol layer;
 * every method runs on the connection's event loop.
 */
public interface Outbound {

  /** Whether the socket can take more writes now without growing its buffer past the high-water mark. */
  boolean isWritable();

  /** Calls {@code task} once when the socket becomes writable again. */
  void whenWritable(Runnable task);

  /**
   * Writes a PUBLISH.
   *
   * @return false when the packet would exceed the client's Maximum Packet Size, in which case
   *     nothing was written and the message must be discarded [MQTT-3.1.2-25]
   */
  boolean sendPublish(int packetId, OutboundMessage message, boolean duplicate);

  /** Writes a PUBREL for an outbound QoS 2 publish that the client has received. */
  void sendPubrel(int packetId, boolean packetIdFound);

  /** The client's Receive Maximum: how many QoS 1 and 2 publishes it takes before acknowledging. */
  int receiveMaximum();

  /**
   * Whether an unacknowledged PUBLISH may be sent again before a reconnect: MQTT 3.1.1 allows it,
   * MQTT 5 does not [MQTT-4.4.0-1].
   */
  default boolean retransmitsWithinConnection() {
    return false;
  }
}
