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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * An operator sends commands to devices on persistent sessions while a share of them is offline. Every command
 * carries the operator's reply topic as its MQTT 5 response topic and an id as correlation data, and a device
 * replies on that topic with the same correlation data. Offline devices come back at the end and must find
 * every command queued for them.
 */
final class CommandAndControlWorkload implements Workload {
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);

    @Override
    public String name() {
        return "command-and-control";
    }

    @Override
    public List<String> metrics() {
        return List.of(Measurements.LATENCY_P50, Measurements.LATENCY_P99, Measurements.LATENCY_MAX,
                Measurements.LOST, Measurements.DUPLICATED, "reordered", "replies-missing", "sessions-lost");
    }

    @Override
    public Measurements run(WorkloadContext context) throws InterruptedException {
        return new Run(context).execute();
    }

    private static final class Run {
        private final WorkloadContext context;
        private final int deviceCount;
        private final double offlineShare;
        private final double commandRate;
        private final Duration duration;
        private final Duration drain;
        private final int qos;
        private final String replyTopic;
        private final List<DeviceClient> devices = new ArrayList<>();
        private final StreamTracker commands = new StreamTracker();
        /** Send time in nanoseconds of each command to an online device, by correlation id, until its reply. */
        private final Map<String, Long> awaitingReply = new ConcurrentHashMap<>();
        private final Map<String, Boolean> repliesOwed = new ConcurrentHashMap<>();
        private final Histogram roundTrip = new ConcurrentHistogram(3);
        private final LongAdder replies = new LongAdder();
        private final LongAdder commandsAcknowledged = new LongAdder();
        private final LongAdder sessionsLost = new LongAdder();

        Run(WorkloadContext context) {
            this.context = context;
            WorkloadSettings settings = context.settings();
            this.deviceCount = settings.size("devices", 1000, 3);
            this.offlineShare = settings.fraction("offline-share", "33%");
            this.commandRate = settings.rate("command-rate", "100/s");
            this.duration = settings.duration("duration", "20s");
            this.drain = settings.duration("drain", "30s");
            this.qos = settings.integer("qos", 1, 1, 2);
            this.replyTopic = "cc/" + context.runId() + "/operator/replies";
        }

        Measurements execute() throws InterruptedException {
            SimClient operatorClient = context.client(context.clientId("operator", 1), false, new OperatorListener());
            context.await(List.of(operatorClient.connect(true, Optional.empty())
                    .thenCompose(present -> operatorClient.subscribe(Map.of(replyTopic, qos)))),
                    SETUP_TIMEOUT, "connecting the operator");
            for (int number = 1; number <= deviceCount; number++) {
                devices.add(new DeviceClient(number, number <= Math.round(deviceCount * offlineShare)));
            }
            Batches.run(context, devices.stream().map(device -> (Supplier<CompletableFuture<?>>) device::start)
                    .toList(), 50, SETUP_TIMEOUT, "connecting the devices");
            Batches.run(context, devices.stream().filter(device -> device.offline)
                    .map(device -> (Supplier<CompletableFuture<?>>) device.client::disconnect).toList(), 50,
                    SETUP_TIMEOUT, "taking devices offline");

            try (Outbox operator = new Outbox(operatorClient, "operator")) {
                sendCommands(operator);
                Batches.run(context, devices.stream().filter(device -> device.offline)
                        .map(device -> (Supplier<CompletableFuture<?>>) device::reconnect).toList(), 50,
                        SETUP_TIMEOUT, "bringing offline devices back");
                long deadline = System.nanoTime() + drain.toNanos();
                WorkloadContext.awaitUntil(() -> commands.missing() == 0 && repliesOwed.isEmpty(), deadline);
            }
            Batches.run(context, devices.stream().map(device -> (Supplier<CompletableFuture<?>>) device::stop)
                    .toList(), 50, SETUP_TIMEOUT, "disconnecting the devices");
            operatorClient.disconnect().orTimeout(10, TimeUnit.SECONDS).exceptionally(error -> null).join();
            operatorClient.close();
            return measurements();
        }

        /** Sends commands round-robin over all devices at the command rate for the duration. */
        private void sendCommands(Outbox operator) throws InterruptedException {
            long periodNanos = (long) (1e9 / commandRate);
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            int[] nextSeq = new int[deviceCount + 1];
            for (long sent = 0; System.nanoTime() < end; sent++) {
                long due = start + sent * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                DeviceClient device = devices.get((int) (sent % deviceCount));
                int seq = ++nextSeq[device.number];
                String correlation = device.id + "#" + seq;
                if (!device.offline) {
                    awaitingReply.put(correlation, System.nanoTime());
                }
                repliesOwed.put(correlation, Boolean.TRUE);
                OutboundMessage command = new OutboundMessage(device.commandTopic,
                        Messages.encode(64, "cmd", seq, SimClock.nowMicros()), qos, false, Optional.of(replyTopic),
                        Optional.of(correlation.getBytes(StandardCharsets.UTF_8)));
                operator.send(command).whenComplete((done, error) -> {
                    if (error == null) {
                        commandsAcknowledged.increment();
                        commands.owe(device.id, seq);
                    } else {
                        repliesOwed.remove(correlation);
                        awaitingReply.remove(correlation);
                    }
                });
            }
        }

        private Measurements measurements() {
            return new Measurements()
                    .latency(roundTrip, "command to reply round trip of online devices")
                    .put("devices", deviceCount, "devices on persistent sessions")
                    .put("devices-offline", devices.stream().filter(device -> device.offline).count(),
                            "devices offline while commands were sent")
                    .put("commands-acknowledged", commandsAcknowledged.sum(), "commands the broker acknowledged")
                    .put("commands-delivered", commands.received(), "distinct commands devices received")
                    .put(Measurements.LOST, commands.missing(), "acknowledged commands that never reached their device")
                    .put(Measurements.DUPLICATED, commands.duplicates(),
                            "commands a device received twice (allowed at QoS 1, counted)")
                    .put("reordered", commands.reordered(), "commands received after a later one")
                    .put("replies", replies.sum(), "replies the operator received")
                    .put("replies-missing", repliesOwed.size(), "commands delivered or owed whose reply never came")
                    .put("sessions-lost", sessionsLost.sum(), "offline devices that came back without their session");
        }

        private final class OperatorListener implements ClientListener {
            @Override
            public void messageArrived(InboundMessage message) {
                Optional<byte[]> correlation = message.correlationData();
                if (correlation.isEmpty()) {
                    return;
                }
                String key = new String(correlation.get(), StandardCharsets.UTF_8);
                replies.increment();
                repliesOwed.remove(key);
                Long sentNanos = awaitingReply.remove(key);
                if (sentNanos != null) {
                    Metrics.recordMicros(roundTrip, (System.nanoTime() - sentNanos) / 1_000);
                }
            }

            @Override
            public void connectionLost(Throwable cause) {
                // The operator is never cut; a lost connection shows up as missing replies.
            }
        }

        private final class DeviceClient implements ClientListener {
            final int number;
            final String id;
            final String commandTopic;
            final boolean offline;
            final SimClient client;

            DeviceClient(int number, boolean offline) {
                this.number = number;
                this.id = context.clientId("device", number);
                this.commandTopic = "cc/" + context.runId() + "/device/" + number + "/cmd";
                this.offline = offline;
                this.client = context.client(id, true, this);
            }

            /** Connects to a new session (the id is new in every run) and subscribes to its commands. */
            CompletableFuture<Void> start() {
                return client.connect(false, Optional.empty())
                        .thenCompose(present -> client.subscribe(Map.of(commandTopic, qos)));
            }

            CompletableFuture<Boolean> reconnect() {
                return client.connect(false, Optional.empty()).whenComplete((present, error) -> {
                    if (error == null && !present) {
                        sessionsLost.increment();
                    }
                });
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
                commands.receive(id, Integer.parseInt(fields[1]));
                if (message.responseTopic().isEmpty()) {
                    return;
                }
                reply(new OutboundMessage(message.responseTopic().get(), Messages.encode(32, "ack", fields[1]), qos,
                        false, Optional.empty(), message.correlationData()), 0);
            }

            /** Publishes a reply, retrying while more publishes are in flight than the broker accepts. */
            private void reply(OutboundMessage reply, int attempt) {
                client.publish(reply).whenComplete((done, error) -> {
                    if (error != null && attempt < 50) {
                        context.scheduler().schedule(() -> reply(reply, attempt + 1), 20, TimeUnit.MILLISECONDS);
                    }
                });
            }

            @Override
            public void connectionLost(Throwable cause) {
                // Devices are not cut in this workload; their missing commands and replies show the failure.
            }
        }
    }
}
