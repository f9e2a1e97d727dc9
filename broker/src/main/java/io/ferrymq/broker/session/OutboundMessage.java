package io.ferrymq.broker.session;

import io.ferrymq.broker.routing.SharedGroup;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.storage.StoredDelivery;

/**
 * One message on its way to one session: the shared {@link Message} plus what this delivery adds.
 *
 * @param qos the delivery QoS, the lower of the message's and the subscription's [MQTT-3.8.4-8]
 * @param retain the RETAIN flag to send: set for a retained message sent on subscribe, or kept as
 *     published when the subscription asked for that
 * @param subscriptionIds the Subscription Identifiers of every matching subscription, empty for none
 * @param sharedGroup the shared subscription that chose this session, else {@code null}
 * @param deliveryId the id under which a session store keeps this delivery, or 0 when it is not stored
 */
public record OutboundMessage(Message message, int qos, boolean retain, int[] subscriptionIds,
                              SharedGroup sharedGroup, long deliveryId) {

  public static final int[] NO_IDS = new int[0];

  /** Creates a delivery that no store contains yet. */
  public OutboundMessage(Message message, int qos, boolean retain, int[] subscriptionIds, SharedGroup sharedGroup) {
    this(message, qos, retain, subscriptionIds, sharedGroup, 0);
  }

  OutboundMessage withDeliveryId(long id) {
    return new OutboundMessage(message, qos, retain, subscriptionIds, sharedGroup, id);
  }

  StoredDelivery toStored() {
    return new StoredDelivery(deliveryId, message, qos, retain, subscriptionIds, 0, false);
  }

  /** Returns the same delivery for another member of its shared group. */
  OutboundMessage forMember(int grantedQos, int subscriptionId) {
    int[] ids = subscriptionId == 0 ? NO_IDS : new int[] {subscriptionId};
    return new OutboundMessage(message, Math.min(message.qos(), grantedQos), retain, ids, sharedGroup, 0);
  }
}
