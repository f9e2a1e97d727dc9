package io.ferrymq.sim.fleet;

import io.ferrymq.sim.client.ClientListener;
import io.ferrymq.sim.client.InboundMessage;
import io.ferrymq.sim.client.OutboundMessage;
import io.ferrymq.sim.client.SimClient;
import io.ferrymq.sim.config.FleetConfig;
import io.ferrymq.sim.config.MqttVersion;
import io.ferrymq.sim.payload.Payload;
import io.ferrymq.sim.payload.PayloadCodec;
import io.ferrymq.sim.payload.PayloadKind;
import io.ferrymq.sim.payload.SimClock;
import io.ferrymq.sim.report.Metrics;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Sends commands to devices and times their replies. On MQTT 5 each command carries the reply topic as its
 * response topic and its sequence number as correlation data. On 3.1.1 the device echoes the number in its
 * payload.
 */
final class Operator implements ClientListener {
    final String id;
    private final FleetContext fleet;
    private final FleetConfig config;
    private final SimClient client;
    private final Map<String, Long> nextSeqByTopic = new ConcurrentHashMap<>();
    /** Send time in nanoseconds of each command awaiting its first reply, by device id and sequence number. */
    private final Map<String, Long> awaitingReply = new ConcurrentHashMap<>();

    Operator(FleetContext fleet) {
        this.fleet = fleet;
        this.config = fleet.config();
        this.id = fleet.operatorId();
        this.client = fleet.observerEngine().create(Subscriber.observerSettings(config, id), this);
    }

    CompletableFuture<Void> start() {
        String replyFilter = Topics.filter(config.commands().replyTopicPattern());
        return client.connect(true, Optional.empty())
                .thenCompose(present -> client.subscribe(Map.of(replyFilter, config.commands().qos())))
                .thenRun(() -> fleet.verification().subscribed(id));
    }

    void sendCommand(Device device) {
        long seq = nextSeqByTopic.merge(device.commandTopic, 1L, Long::sum);
        int qos = config.commands().qos();
        fleet.verification().published(id, device.commandTopic, seq, qos);
        byte[] payload = PayloadCodec.encode(new Payload(PayloadKind.COMMAND, id, seq, SimClock.nowMicros(), 0), 0);
        boolean v5 = config.devices().mqttVersion() == MqttVersion.V5;
        OutboundMessage command = new OutboundMessage(device.commandTopic, payload, qos, false,
                v5 ? Optional.of(device.replyTopic) : Optional.empty(),
                v5 ? Optional.of(ByteBuffer.allocate(Long.BYTES).putLong(seq).array()) : Optional.empty());
        awaitingReply.put(device.id + '#' + seq, System.nanoTime());
        Metrics metrics = fleet.metrics();
        metrics.commandsSent.increment();
        metrics.published.increment();
        client.publish(command).whenComplete((done, error) -> {
            if (error == null) {
                metrics.acknowledged.increment();
                fleet.verification().acknowledged(id, device.commandTopic, seq);
            } else {
                metrics.publishFailures.increment();
            }
        });
    }

    @Override
    public void messageArrived(InboundMessage message) {
        Optional<Payload> payload = fleet.verification().onMessage(id, message);
        if (payload.isEmpty() || payload.get().kind() != PayloadKind.REPLY) {
            return;
        }
        long commandSeq = commandSeq(payload.get(), message);
        Long sentNanos = awaitingReply.remove(payload.get().publisherId() + '#' + commandSeq);
        if (sentNanos != null) {
            fleet.metrics().repliesReceived.increment();
            Metrics.recordMicros(fleet.metrics().commandRoundTrip, (System.nanoTime() - sentNanos) / 1_000);
        }
    }

    private long commandSeq(Payload reply, InboundMessage message) {
        if (config.devices().mqttVersion() != MqttVersion.V5) {
            return reply.ref();
        }
        return message.correlationData()
                .filter(bytes -> bytes.length == Long.BYTES)
                .map(bytes -> ByteBuffer.wrap(bytes).getLong())
                .orElse(0L);
    }

    @Override
    public void connectionLost(Throwable cause) {
        fleet.verification().sessionEnded(id);
        fleet.metrics().connectionsLost.increment();
    }

    CompletableFuture<Void> stop() {
        return client.disconnect().orTimeout(10, TimeUnit.SECONDS).handle((done, error) -> {
            client.close();
            return null;
        });
    }
}
