package io.ferrymq.spi.storage;

import java.util.List;
import java.util.Set;

/**
 * A persistent session as a store returns it at start.
 *
 * @param deliveries queued and in-flight messages in delivery-id order
 * @param inboundQos2 inbound QoS 2 packet ids awaiting PUBREL
 * @param offlineSinceMillis wall-clock time at which the session's last connection ended, in epoch
 *     milliseconds, or 0 when it was connected when the broker stopped or none was recorded; the
 *     session expiry counts from it
 * @param pendingWill the will that waits for its delay to run out, or {@code null}
 */
public record StoredSession(String clientId, long expirySeconds, List<StoredSubscription> subscriptions,
                            List<StoredDelivery> deliveries, Set<Integer> inboundQos2, long offlineSinceMillis,
                            StoredWill pendingWill) {

  /** Creates a session with no recorded offline time and no pending will. */
  public StoredSession(String clientId, long expirySeconds, List<StoredSubscription> subscriptions,
                       List<StoredDelivery> deliveries, Set<Integer> inboundQos2) {
    this(clientId, expirySeconds, subscriptions, deliveries, inboundQos2, 0, null);
  }
}
