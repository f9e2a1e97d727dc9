package io.ferrymq.sim.client;

import java.util.Map;
import java.util.Optional;

/**
 * A PUBLISH received. {@code retain} is set only for messages sent from the retained store on subscribe,
 * since brokers clear it when forwarding to existing subscriptions. The MQTT 5 properties are empty on 3.1.1.
 */
public record InboundMessage(String topic, byte[] payload, int qos, boolean retain, boolean duplicate,
                             Optional<String> responseTopic, Optional<byte[]> correlationData,
                             Map<String, String> userProperties) {

    public InboundMessage(String topic, byte[] payload, int qos, boolean retain, boolean duplicate,
                          Optional<String> responseTopic, Optional<byte[]> correlationData) {
        this(topic, payload, qos, retain, duplicate, responseTopic, correlationData, Map.of());
    }
}
