package io.ferrymq.broker.session;

import io.ferrymq.spi.Message;

/**
 * A will from CONNECT, published when the connection ends without a normal DISCONNECT.
 *
 * @param delaySeconds the MQTT 5 Will Delay Interval, 0 for MQTT 3.1.1
 */
public record WillMessage(Message message, long delaySeconds) {
}
