package io.ferrymq.sim.client;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** One MQTT client connection as the fleet drives it, whatever library implements it. */
public interface SimClient {

    /**
     * Connects; the future completes with the CONNACK's session present flag. With {@code cleanStart} the
     * broker discards any earlier session; a persistent client still keeps the new one (MQTT 5 only, since on
     * 3.1.1 clean session 1 also ends the session with the connection).
     */
    CompletableFuture<Boolean> connect(boolean cleanStart, Optional<ClientSettings.Will> will);

    /** Subscribes to topic filters with their maximum QoS; fails if the broker rejects any. */
    CompletableFuture<Void> subscribe(Map<String, Integer> filters);

    /** Publishes; completes on PUBACK (QoS 1), PUBCOMP (QoS 2), or once written (QoS 0). */
    CompletableFuture<Void> publish(OutboundMessage message);

    /** Sends DISCONNECT with reason code 0, so the broker discards the will. */
    CompletableFuture<Void> disconnect();

    /** Closes the socket without DISCONNECT, so the broker publishes the will. */
    void drop();

    /** Releases the client's threads or handlers; call after the connection ended. */
    void close();
}
