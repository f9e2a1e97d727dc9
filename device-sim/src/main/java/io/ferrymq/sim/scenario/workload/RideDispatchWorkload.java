package io.ferrymq.sim.scenario.workload;

import io.ferrymq.sim.client.ClientListener;
import io.ferrymq.sim.client.InboundMessage;
import io.ferrymq.sim.client.OutboundMessage;
import io.ferrymq.sim.client.SimClient;
import io.ferrymq.sim.payload.SimClock;
import io.ferrymq.sim.report.Metrics;
import io.ferrymq.sim.scenario.Measurements;
import io.ferrymq.sim.scenario.Outbox;
import io.ferrymq.sim.scenario.Workload;
import io.ferrymq.sim.scenario.WorkloadContext;
import io.ferrymq.sim.scenario.WorkloadSettings;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * A dispatcher broadcasts ride requests to the drivers of an area. Areas are geohash cells, one topic level per
 * character, so neighbouring cells share the first levels and differ in the last. Each driver subscribes to its
 * own cell. Drivers that want the ride publish an accept to the request's response topic, and the first accept
 * wins.
 */
final class RideDispatchWorkload implements Workload {
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);
    /** Centre of the simulated city (Berlin) and half the side of the square the areas are drawn from. */
    private static final double CENTRE_LATITUDE = 52.52;
    private static final double CENTRE_LONGITUDE = 13.405;
    private static final double HALF_SIDE_DEGREES = 0.04;

    @Override
    public String name() {
        return "ride-dispatch";
    }

    @Override
    public List<String> metrics() {
        return List.of(Measurements.LATENCY_P50, Measurements.LATENCY_P99, Measurements.LATENCY_MAX,
                Measurements.LOST, Measurements.DUPLICATED, "outside-area", "requests-unassigned");
    }

    @Override
    public Measurements run(WorkloadContext context) throws InterruptedException {
        return new Run(context).execute();
    }

    /** Distinct geohash cells of the given precision around the centre, in the order they were drawn. */
    static List<String> areas(Random random, int count, int precision) {
        Set<String> cells = new LinkedHashSet<>();
        for (int attempt = 0; cells.size() < count && attempt < count * 1000; attempt++) {
            double latitude = CENTRE_LATITUDE + (random.nextDouble() * 2 - 1) * HALF_SIDE_DEGREES;
            double longitude = CENTRE_LONGITUDE + (random.nextDouble() * 2 - 1) * HALF_SIDE_DEGREES;
            cells.add(Geohash.encode(latitude, longitude, precision));
        }
        if (cells.size() < count) {
            throw new IllegalArgumentException("Only " + cells.size() + " cells of precision " + precision
                    + " fit the city; lower settings.areas or raise settings.precision.");
        }
        return new ArrayList<>(cells);
    }

    private static final class Run {
        private final WorkloadContext context;
        private final int requestCount;
        private final double requestRate;
        private final double acceptShare;
        private final int qos;
        private final Duration drain;
        private final List<String> areas;
        private final List<List<Driver>> driversByArea = new ArrayList<>();
        private final List<Driver> drivers = new ArrayList<>();
        private final String answerTopic;
        private final DispatchBoard board = new DispatchBoard();
        /** Receipts of requests by "request/driver", to find the drivers a request never reached. */
        private final Set<String> received = ConcurrentHashMap.newKeySet();
        private final Histogram fanOutLatency = new ConcurrentHistogram(3);
        private final LongAdder expectedDeliveries = new LongAdder();
        // Requests whose publish completed, acknowledged or failed; only then is expectedDeliveries final.
        private final LongAdder requestsSettled = new LongAdder();
        private final LongAdder duplicates = new LongAdder();
        private final LongAdder outsideArea = new LongAdder();
        private final LongAdder acceptsSent = new LongAdder();
        private final LongAdder acceptsReceived = new LongAdder();
        private final Set<Long> acceptedRequests = ConcurrentHashMap.newKeySet();

        Run(WorkloadContext context) {
            this.context = context;
            WorkloadSettings settings = context.settings();
            int areaCount = settings.size("areas", 16, 2);
            this.requestCount = settings.size("requests", 600, 1);
            this.requestRate = settings.rate("request-rate", "20/s");
            this.acceptShare = settings.fraction("accept-share", "50%");
            this.qos = settings.integer("qos", 1, 0, 2);
            this.drain = settings.duration("drain", "10s");
            this.areas = areas(context.random(), areaCount, settings.integer("precision", 6, 1, 12));
            this.answerTopic = "rides/" + context.runId() + "/dispatch/answers";
            WorkloadSettings.Range perArea = settings.range("drivers-per-area", "15-35");
            int number = 0;
            for (int area = 0; area < areas.size(); area++) {
                List<Driver> inArea = new ArrayList<>();
                int count = perArea.pick(context.random());
                for (int i = 0; i < count; i++) {
                    Driver driver = new Driver(++number, area);
                    inArea.add(driver);
                    drivers.add(driver);
                }
                driversByArea.add(inArea);
            }
        }

        String requestTopic(int area) {
            return "rides/" + context.runId() + "/requests/" + Geohash.topicLevels(areas.get(area));
        }

        Measurements execute() throws InterruptedException {
            SimClient dispatcher = context.client(context.clientId("dispatcher", 1), false, new DispatcherListener());
            context.await(List.of(dispatcher.connect(true, Optional.empty())
                    .thenCompose(present -> dispatcher.subscribe(Map.of(answerTopic, 1)))),
                    SETUP_TIMEOUT, "connecting the dispatcher");
            Batches.run(context, drivers.stream().map(driver -> (Supplier<CompletableFuture<?>>) driver::start)
                    .toList(), 50, SETUP_TIMEOUT, "connecting the drivers");
            try (Outbox outbox = new Outbox(dispatcher, "dispatcher")) {
                sendRequests(outbox);
                long deadline = System.nanoTime() + drain.toNanos();
                WorkloadContext.awaitUntil(() -> requestsSettled.sum() >= requestCount
                        && received.size() >= expectedDeliveries.sum()
                        && acceptsReceived.sum() >= acceptsSent.sum(), deadline);
            }
            Batches.run(context, drivers.stream().map(driver -> (Supplier<CompletableFuture<?>>) driver::stop)
                    .toList(), 50, SETUP_TIMEOUT, "disconnecting the drivers");
            dispatcher.disconnect().orTimeout(10, TimeUnit.SECONDS).exceptionally(error -> null).join();
            dispatcher.close();
            return measurements();
        }

        private void sendRequests(Outbox outbox) throws InterruptedException {
            Random random = context.random();
            long periodNanos = (long) (1e9 / requestRate);
            long start = System.nanoTime();
            for (int request = 1; request <= requestCount; request++) {
                long wait = start + (request - 1) * periodNanos - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int area = random.nextInt(areas.size());
                long requestId = request;
                board.open(requestId);
                OutboundMessage message = new OutboundMessage(requestTopic(area),
                        Messages.encode(96, "ride", requestId, area, SimClock.nowMicros()), qos, false,
                        Optional.of(answerTopic), Optional.of(ByteBuffer.allocate(Long.BYTES).putLong(requestId)
                                .array()));
                int areaDrivers = driversByArea.get(area).size();
                outbox.send(message).whenComplete((done, error) -> {
                    if (error == null) {
                        expectedDeliveries.add(areaDrivers);
                    }
                    requestsSettled.increment();
                });
            }
        }

        private Measurements measurements() {
            long missing = Math.max(0, expectedDeliveries.sum() - received.size());
            return new Measurements()
                    .latency(fanOutLatency, "request to each driver of its area")
                    .put("areas", areas.size(), "geohash cells with drivers")
                    .put("drivers", drivers.size(), "drivers, each subscribed to its own cell")
                    .put("requests", board.requests(), "ride requests broadcast")
                    .put("deliveries", received.size(), "distinct requests that reached a driver of their area")
                    .put(Measurements.LOST, missing, "drivers of an area that a published request never reached")
                    .put(Measurements.DUPLICATED, duplicates.sum(), "requests a driver received twice")
                    .put("outside-area", outsideArea.sum(), "requests received by a driver outside their area")
                    .put("accepts", acceptsReceived.sum(), "accepts the dispatcher received")
                    .put("assigned", board.assigned(), "requests won by the first accepting driver")
                    .put("accepts-turned-down", board.turnedDown(), "accepts after another driver had won")
                    .put("requests-unassigned", Math.max(0, acceptedRequests.size() - board.assigned()),
                            "requests some driver accepted but nobody won");
        }

        private final class DispatcherListener implements ClientListener {
            @Override
            public void messageArrived(InboundMessage message) {
                String[] fields = Messages.decode(message.payload());
                acceptsReceived.increment();
                board.accept(Long.parseLong(fields[1]), fields[2]);
            }

            @Override
            public void connectionLost(Throwable cause) {
                // The dispatcher is never cut; missing accepts show a lost connection.
            }
        }

        private final class Driver implements ClientListener {
            final String id;
            final int area;
            final SimClient client;
            final Random random;

            Driver(int number, int area) {
                this.id = context.clientId("driver", number);
                this.area = area;
                this.client = context.client(id, false, this);
                this.random = new Random(context.random().nextLong());
            }

            CompletableFuture<Void> start() {
                return client.connect(true, Optional.empty())
                        .thenCompose(present -> client.subscribe(Map.of(requestTopic(area), qos)));
            }

            CompletableFuture<Void> stop() {
                return client.disconnect().orTimeout(10, TimeUnit.SECONDS).handle((done, error) -> {
                    client.close();
                    return null;
                });
            }

            @Override
            public void messageArrived(InboundMessage message) {
                String[] fields = Messages.decode(message.payload());
                long requestId = Long.parseLong(fields[1]);
                int requestArea = Integer.parseInt(fields[2]);
                if (requestArea != area) {
                    outsideArea.increment();
                    return;
                }
                if (!received.add(requestId + "/" + id)) {
                    duplicates.increment();
                    return;
                }
                Metrics.recordMicros(fanOutLatency, SimClock.nowMicros() - Long.parseLong(fields[3]));
                boolean accept;
                synchronized (random) {
                    accept = random.nextDouble() < acceptShare;
                }
                if (accept && message.responseTopic().isPresent()) {
                    acceptedRequests.add(requestId);
                    acceptsSent.increment();
                    client.publish(new OutboundMessage(message.responseTopic().get(),
                            Messages.encode(48, "accept", requestId, id), 1, false, Optional.empty(),
                            message.correlationData())).whenComplete((done, error) -> {
                                if (error != null) {
                                    acceptsSent.decrement();
                                }
                            });
                }
            }

            @Override
            public void connectionLost(Throwable cause) {
                // Drivers are not cut; requests they miss count as lost.
            }
        }
    }
}
