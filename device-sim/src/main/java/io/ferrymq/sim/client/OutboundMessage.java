package io.ferrymq.sim.client;

import java.util.Optional;

/** A PUBLISH to send; the response topic and correlation data are sent as MQTT 5 properties only. */
public record OutboundMessage(String topic, byte[] payload, int qos, boolean retain,
                              Optional<String> responseTopic, Optional<byte[]> correlationData) {

    public static OutboundMessage of(String topic, byte[] payload, int qos, boolean retain) {
        return new OutboundMessage(topic, payload, qos, retain, Optional.empty(), Optional.empty());
    }
}
