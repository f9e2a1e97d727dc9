package io.ferrymq.broker.routing;

/**
 * One subscription of one subscriber, with its MQTT 5 options. Immutable: changing a subscription
 * replaces it in the tree.
 *
 * @param filter the topic filter without any {@code $share/{name}/} prefix
 * @param shareName the share name of a shared subscription, or {@code null}
 * @param qos the granted maximum QoS
 * @param noLocal do not deliver the subscriber's own publishes [MQTT-3.8.3-3]
 * @param retainAsPublished keep the publisher's RETAIN flag on delivery instead of clearing it
 * @param retainHandling 0 send retained messages on subscribe, 1 only for a new subscription, 2 never
 * @param subscriptionId the Subscription Identifier, 0 for none
 */
public record Subscription(Subscriber subscriber, String filter, String shareName, int qos, boolean noLocal,
                           boolean retainAsPublished, int retainHandling, int subscriptionId) {

  public boolean isShared() {
    return shareName != null;
  }

  /** The filter as the client wrote it, with the share prefix for a shared subscription. */
  public String fullFilter() {
    return shareName == null ? filter : Topics.SHARE_PREFIX + shareName + '/' + filter;
  }
}
