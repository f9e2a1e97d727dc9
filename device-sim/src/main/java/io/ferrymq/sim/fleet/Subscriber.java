package io.ferrymq.sim.fleet;

import io.ferrymq.sim.client.ClientListener;
import io.ferrymq.sim.client.ClientSettings;
import io.ferrymq.sim.client.InboundMessage;
import io.ferrymq.sim.client.SimClient;
import io.ferrymq.sim.config.FleetConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives all telemetry, status messages and wills of the fleet and hands them to the verifier. A slow
 * subscriber sleeps on its client's callback thread after each message, which delays its acknowledgements
 * and so pushes back on the broker like a consumer that cannot keep up.
 */
final class Subscriber implements ClientListener {
    private static final Logger LOG = LoggerFactory.getLogger(Subscriber.class);

    final String id;
    private final FleetContext fleet;
    private final Duration processingDelay;
    private final SimClient client;
    private final Map<String, Integer> filters = new LinkedHashMap<>();
    private volatile boolean stopped;

    Subscriber(FleetContext fleet, String id, Duration processingDelay) {
        this.fleet = fleet;
        this.id = id;
        this.processingDelay = processingDelay;
        FleetConfig config = fleet.config();
        int qos = config.subscribers().qos();
        filters.put(Topics.filter(config.telemetry().topicPattern()), qos);
        if (config.telemetry().retainedStatus()) {
            filters.put(Topics.filter(config.telemetry().statusTopicPattern()), qos);
        }
        this.client = fleet.observerEngine().create(observerSettings(config, id), this);
    }

    static ClientSettings observerSettings(FleetConfig config, String clientId) {
        FleetConfig.Devices devices = config.devices();
        return new ClientSettings(clientId, devices.mqttVersion(), false, Duration.ZERO, devices.keepAlive(),
                devices.username(), devices.password());
    }

    /** Connects and subscribes; the future fails if the broker cannot be reached or rejects the subscription. */
    CompletableFuture<Void> start() {
        return client.connect(true, Optional.empty())
                .thenCompose(present -> client.subscribe(filters))
                .thenRun(() -> fleet.verification().subscribed(id));
    }

    @Override
    public void messageArrived(InboundMessage message) {
        fleet.verification().onMessage(id, message);
        if (!processingDelay.isZero()) {
            try {
                Thread.sleep(processingDelay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        fleet.verification().sessionEnded(id);
        if (stopped) {
            return;
        }
        fleet.metrics().connectionsLost.increment();
        LOG.warn("client={} subscriber connection lost, reconnecting: {}", id, cause.toString());
        fleet.scheduler().schedule(this::reconnect, 1, TimeUnit.SECONDS);
    }

    private void reconnect() {
        start().whenComplete((done, error) -> {
            if (error != null && !stopped) {
                LOG.warn("client={} subscriber reconnect failed, retrying: {}", id, error.toString());
                fleet.scheduler().schedule(this::reconnect, 1, TimeUnit.SECONDS);
            }
        });
    }

    CompletableFuture<Void> stop() {
        stopped = true;
        return client.disconnect().orTimeout(10, TimeUnit.SECONDS).handle((done, error) -> {
            client.close();
            return null;
        });
    }
}
