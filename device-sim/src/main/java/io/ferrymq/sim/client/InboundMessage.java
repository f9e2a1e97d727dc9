package io.ferrymq.sim.client;

import java.util.Optional;

/**
 * A PUBLISH received. {@code retain} is set only for messages sent from the retained store on subscribe,
 * since brokers clear it when forwarding to existing subscriptions.
 */
public record InboundMessage(String topic, byte[] payload, int qos, boolean retain, boolean duplicate,
                             Optional<String> responseTopic, Optional<byte[]> correlationData) {
}
