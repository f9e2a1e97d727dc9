package io.ferrymq.sim.fleet;

import io.ferrymq.sim.client.ClientListener;
import io.ferrymq.sim.client.InboundMessage;
import io.ferrymq.sim.client.SimClient;
import io.ferrymq.sim.payload.Payload;
import io.ferrymq.sim.payload.PayloadCodec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A late subscriber that reads the retained status of every device once publishing has ended. */
final class RetainedCheck implements ClientListener {
    private static final Logger LOG = LoggerFactory.getLogger(RetainedCheck.class);
    private static final long WAIT_MILLIS = 5_000;

    private final Map<String, Payload> found = new ConcurrentHashMap<>();

    static void run(FleetContext fleet, String clientId, List<Device> devices) {
        new RetainedCheck().check(fleet, clientId, devices);
    }

    private void check(FleetContext fleet, String clientId, List<Device> devices) {
        Set<String> statusTopics = devices.stream().map(device -> device.statusTopic).collect(Collectors.toSet());
        SimClient client = fleet.observerEngine().create(Subscriber.observerSettings(fleet.config(), clientId), this);
        String filter = Topics.filter(fleet.config().telemetry().statusTopicPattern());
        try {
            client.connect(true, Optional.empty())
                    .thenCompose(present -> client.subscribe(Map.of(filter, 1)))
                    .get(30, TimeUnit.SECONDS);
            awaitAll(statusTopics);
            client.disconnect().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("client={} retained check failed: {}", clientId, e.toString());
        } finally {
            client.close();
        }
        found.forEach((topic, payload) -> {
            if (statusTopics.contains(topic)) {
                fleet.verification().retainedFound(topic, payload);
            }
        });
        fleet.verification().retainedChecked();
    }

    /** Waits until every status topic sent its retained message; a missing one ends the wait after 5 s. */
    private void awaitAll(Set<String> statusTopics) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!found.keySet().containsAll(statusTopics) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Override
    public void messageArrived(InboundMessage message) {
        if (message.retain()) {
            PayloadCodec.decode(message.payload()).ifPresent(payload -> found.put(message.topic(), payload));
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        LOG.warn("retained check connection lost: {}", cause.toString());
    }
}
