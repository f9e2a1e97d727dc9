package io.ferrymq.sim.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.sim.client.ClientEngine;
import io.ferrymq.sim.client.ClientListener;
import io.ferrymq.sim.client.ClientSettings;
import io.ferrymq.sim.client.OutboundMessage;
import io.ferrymq.sim.client.SimClient;
import io.ferrymq.sim.config.FleetConfig;
import io.ferrymq.sim.payload.PayloadCodec;
import io.ferrymq.sim.report.Metrics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DeviceTest {
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    /**
     * The first send stalls inside the client like a thread that the OS descheduled, for 500 ms or until a
     * second send starts. The telemetry interval is 10 ms, so the next run is due on the scheduler's other
     * thread long before the stall ends and must wait for it instead of sending seq 2 first.
     */
    @Test
    void telemetryReachesClientInSequenceOrder() throws Exception {
        FleetConfig config = FleetConfig.builder()
                .set("devices", "1")
                .set("interval", "10ms")
                .set("messages", "5")
                .set("qos", "0")
                .set("retained-status", "false")
                .build();
        StallingClient client = new StallingClient();
        CountDownLatch finished = new CountDownLatch(1);
        Device device = new Device(fleet(config, client), 1, finished::countDown);

        device.start();

        assertThat(finished.await(10, TimeUnit.SECONDS)).as("device sent its 5 messages").isTrue();
        assertThat(client.sentSeqs).containsExactly(1L, 2L, 3L, 4L, 5L);
        device.stop().get(5, TimeUnit.SECONDS);
    }

    /**
     * The fake client completes connect and subscribe at once, so start() runs up to the online status publish,
     * whose acknowledgement the test then controls.
     */
    @Test
    void deviceSettlesWhenOnlineStatusIsAcknowledged() throws Exception {
        FleetConfig config = FleetConfig.builder()
                .set("devices", "1")
                .set("interval", "10s")
                .set("retained-status", "true")
                .build();
        PendingPublishClient client = new PendingPublishClient();
        Device device = new Device(fleet(config, client), 1, () -> { });

        device.start();

        assertThat(client.topics).containsExactly(device.statusTopic);
        assertThat(device.isSettled()).isFalse();
        client.acknowledgements.get(0).complete(null);
        assertThat(device.isSettled()).isTrue();
        device.stop().get(5, TimeUnit.SECONDS);
    }

    private FleetContext fleet(FleetConfig config, SimClient client) {
        ClientEngine engine = new SingleClientEngine(client);
        return new FleetContext(config, engine, engine, new Verification(false, new Metrics()), new Metrics(),
                scheduler, List.of(), "operator");
    }

    /** Fake client that records each message's seq as its publish call returns, when a real client has queued it. */
    private static final class StallingClient implements SimClient {
        private final List<Long> sentSeqs = new CopyOnWriteArrayList<>();
        private final AtomicInteger publishCalls = new AtomicInteger();
        private final CountDownLatch secondPublishStarted = new CountDownLatch(1);

        @Override
        public CompletableFuture<Boolean> connect(boolean cleanStart, Optional<ClientSettings.Will> will) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletableFuture<Void> subscribe(Map<String, Integer> filters) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> publish(OutboundMessage message) {
            long seq = PayloadCodec.decode(message.payload()).orElseThrow().seq();
            int call = publishCalls.incrementAndGet();
            if (call == 1) {
                awaitSecondPublish();
            } else if (call == 2) {
                secondPublishStarted.countDown();
            }
            sentSeqs.add(seq);
            return CompletableFuture.completedFuture(null);
        }

        private void awaitSecondPublish() {
            try {
                secondPublishStarted.await(500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void drop() {
        }

        @Override
        public void close() {
        }
    }

    /** Fake client whose publishes complete only when the test completes their futures. */
    private static final class PendingPublishClient implements SimClient {
        private final List<String> topics = new CopyOnWriteArrayList<>();
        private final List<CompletableFuture<Void>> acknowledgements = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Boolean> connect(boolean cleanStart, Optional<ClientSettings.Will> will) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletableFuture<Void> subscribe(Map<String, Integer> filters) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> publish(OutboundMessage message) {
            CompletableFuture<Void> acknowledgement = new CompletableFuture<>();
            topics.add(message.topic());
            acknowledgements.add(acknowledgement);
            return acknowledgement;
        }

        @Override
        public CompletableFuture<Void> disconnect() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void drop() {
        }

        @Override
        public void close() {
        }
    }

    private record SingleClientEngine(SimClient client) implements ClientEngine {
        @Override
        public SimClient create(ClientSettings settings, ClientListener listener) {
            return client;
        }

        @Override
        public boolean supportsDrop() {
            return false;
        }

        @Override
        public void close() {
        }
    }
}
