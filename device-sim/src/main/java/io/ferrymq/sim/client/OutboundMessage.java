package io.ferrymq.sim.client;

import java.util.Map;
import java.util.Optional;

/**
 * A PUBLISH to send. The response topic, correlation data and user properties are MQTT 5 properties; the
 * 3.1.1 clients leave them out.
 */
public record OutboundMessage(String topic, byte[] payload, int qos, boolean retain,
                              Optional<String> responseTopic, Optional<byte[]> correlationData,
                              Map<String, String> userProperties) {

    public OutboundMessage(String topic, byte[] payload, int qos, boolean retain, Optional<String> responseTopic,
                           Optional<byte[]> correlationData) {
        this(topic, payload, qos, retain, responseTopic, correlationData, Map.of());
    }

    public static OutboundMessage of(String topic, byte[] payload, int qos, boolean retain) {
        return new OutboundMessage(topic, payload, qos, retain, Optional.empty(), Optional.empty(), Map.of());
    }
}
