package io.ferrymq.spi.storage;

/**
 * A subscription with its MQTT 5 options.
 *
 * @param fullFilter the filter as the client wrote it, {@code $share/{name}/} prefix included
 * @param subscriptionId the Subscription Identifier, 0 for none
 */
public record StoredSubscription(String fullFilter, int qos, boolean noLocal, boolean retainAsPublished,
                                 int retainHandling, int subscriptionId) {
}
