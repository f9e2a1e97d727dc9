package io.ferrymq.spi.storage;

import java.util.List;
import java.util.Set;

/**
 * A persistent session as a store returns it at start.
 *
 * @param deliveries queued and in-flight messages in delivery-id order
 * @param inboundQos2 inbound QoS 2 packet ids awaiting PUBREL
 */
public record StoredSession(String clientId, long expirySeconds, List<StoredSubscription> subscriptions,
                            List<StoredDelivery> deliveries, Set<Integer> inboundQos2) {
}
