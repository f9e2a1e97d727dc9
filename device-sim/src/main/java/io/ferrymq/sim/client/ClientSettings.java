package io.ferrymq.sim.client;

import io.ferrymq.sim.config.MqttVersion;
import java.time.Duration;
import java.util.Optional;

/**
 * CONNECT settings of one simulated client.
 *
 * @param sessionExpiry MQTT 5 session expiry interval when {@code cleanStart} is false; ignored on 3.1.1
 * @param username      empty sends no user name
 * @param password      empty sends no password
 */
public record ClientSettings(String clientId, MqttVersion version, boolean cleanStart, Duration sessionExpiry,
                             Duration keepAlive, String username, String password, Optional<Will> will) {

    public record Will(String topic, byte[] payload, int qos, boolean retain) {
    }

    public ClientSettings withWill(Will newWill) {
        return new ClientSettings(clientId, version, cleanStart, sessionExpiry, keepAlive, username, password,
                Optional.of(newWill));
    }
}
