package io.ferrymq.spi.storage;

import io.ferrymq.spi.Message;

/**
 * A message owed to one session.
 *
 * @param deliveryId the id given at {@link SessionStore#enqueue}
 * @param qos the delivery QoS, 1 or 2
 * @param retain the RETAIN flag to send
 * @param subscriptionIds Subscription Identifiers to send with it
 * @param packetId the packet id it was sent with, or 0 while still queued
 * @param released whether the client already answered PUBREC, so only PUBREL is owed
 */
public record StoredDelivery(long deliveryId, Message message, int qos, boolean retain, int[] subscriptionIds,
                             int packetId, boolean released) {

  public StoredDelivery withSent(int sentPacketId) {
    return new StoredDelivery(deliveryId, message, qos, retain, subscriptionIds, sentPacketId, released);
  }

  public StoredDelivery withReleased() {
    return new StoredDelivery(deliveryId, message, qos, retain, subscriptionIds, packetId, true);
  }
}
