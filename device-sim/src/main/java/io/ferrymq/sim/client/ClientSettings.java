package io.ferrymq.sim.client;

import io.ferrymq.sim.config.MqttVersion;
import java.time.Duration;

/**
 * CONNECT settings of one simulated client that stay the same across its connections.
 *
 * @param persistentSession keep the session after a disconnect: clean session 0 on 3.1.1, session expiry on 5
 * @param sessionExpiry     MQTT 5 session expiry interval of a persistent session; ignored on 3.1.1
 * @param username          empty sends no user name
 * @param password          empty sends no password
 */
public record ClientSettings(String clientId, MqttVersion version, boolean persistentSession,
                             Duration sessionExpiry, Duration keepAlive, String username, String password) {

    /** Will message of one connection. */
    public record Will(String topic, byte[] payload, int qos, boolean retain) {
    }
}
