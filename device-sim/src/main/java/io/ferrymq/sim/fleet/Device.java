package io.ferrymq.sim.fleet;

import io.ferrymq.sim.client.ClientListener;
import io.ferrymq.sim.client.ClientSettings;
import io.ferrymq.sim.client.InboundMessage;
import io.ferrymq.sim.client.OutboundMessage;
import io.ferrymq.sim.client.SimClient;
import io.ferrymq.sim.config.FleetConfig;
import io.ferrymq.sim.config.MqttVersion;
import io.ferrymq.sim.config.SessionMode;
import io.ferrymq.sim.payload.Payload;
import io.ferrymq.sim.payload.PayloadCodec;
import io.ferrymq.sim.payload.PayloadKind;
import io.ferrymq.sim.payload.SimClock;
import io.ferrymq.sim.report.Metrics;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated device: connects with a will, keeps a retained status, publishes telemetry, replies to
 * commands and goes offline when churned. The object's lock guards its state, and client calls happen outside it.
 * A second lock, {@link #telemetryOrder}, makes telemetry reach the client in the order of its sequence numbers.
 */
final class Device implements ClientListener {
    private static final Logger LOG = LoggerFactory.getLogger(Device.class);
    private static final long RETRY_MILLIS = 1_000;
    private static final LogLimiter CONNECTION_LOG = new LogLimiter(10);

    private enum State { NEW, CONNECTING, ONLINE, OFFLINE, STOPPED }

    final String id;
    final String telemetryTopic;
    final String statusTopic;
    final String commandTopic;
    final String replyTopic;
    private final FleetContext fleet;
    private final FleetConfig config;
    private final SimClient client;
    private final Random random;
    private final boolean persistent;
    private final Runnable onFinished;

    private State state = State.NEW;
    private long connection;
    private long telemetrySeq;
    private long statusSeq;
    private long replySeq;
    private int telemetrySent;
    private boolean publishing = true;
    private boolean hasSubscription;
    private boolean offlineByChurn;
    private long connectStartNanos;
    /** Number of the latest connection whose connect steps, up to the online status publish, have completed. */
    private long settledConnection;
    private ScheduledFuture<?> telemetryTask;
    /**
     * Lock held by the telemetry task from taking a sequence number until the client's publish call returns.
     * The clients send in call order, and the verifier counts any other order as reordered by the broker.
     * Without this lock the task, which schedules its next run before it sends, can be overtaken by that run
     * on the scheduler's other thread when the machine is loaded. Taken before the object's lock, never
     * inside it, and never on a client's callback thread.
     */
    private final Object telemetryOrder = new Object();

    Device(FleetContext fleet, int number, Runnable onFinished) {
        this.fleet = fleet;
        this.config = fleet.config();
        FleetConfig.Devices devices = config.devices();
        String group = "g" + ((number - 1) % devices.groups());
        this.id = devices.clientIdPattern().replace("{n}", Integer.toString(number)).replace("{group}", group);
        this.telemetryTopic = Topics.expand(config.telemetry().topicPattern(), id, group);
        this.statusTopic = Topics.expand(config.telemetry().statusTopicPattern(), id, group);
        this.commandTopic = Topics.expand(config.commands().topicPattern(), id, group);
        this.replyTopic = Topics.expand(config.commands().replyTopicPattern(), id, group);
        this.persistent = devices.session() == SessionMode.PERSISTENT;
        this.random = new Random(config.seed() * 1_000_003L + number);
        this.onFinished = onFinished;
        ClientSettings settings = new ClientSettings(id, devices.mqttVersion(), persistent, devices.sessionExpiry(),
                devices.keepAlive(), devices.username(), devices.password());
        this.client = fleet.deviceEngine().create(settings, this);
    }

    void start() {
        connect();
    }

    /**
     * Returns whether the device is online and its current connection has completed the command subscription
     * and the online status publish. Until then the retained check could miss that status.
     */
    synchronized boolean isSettled() {
        return state == State.ONLINE && settledConnection == connection;
    }

    /** Whether a command sent now is owed to this device, because its session contains the command subscription. */
    synchronized boolean acceptsCommands() {
        return hasSubscription && (persistent || state == State.ONLINE);
    }

    private void connect() {
        long thisConnection;
        boolean initial;
        synchronized (this) {
            if (state == State.STOPPED) {
                return;
            }
            state = State.CONNECTING;
            offlineByChurn = false;
            thisConnection = ++connection;
            initial = thisConnection == 1;
            connectStartNanos = System.nanoTime();
        }
        if (initial) {
            fleet.metrics().initialConnectStarted(connectStartNanos);
        }
        Optional<ClientSettings.Will> will = config.telemetry().retainedStatus()
                ? Optional.of(new ClientSettings.Will(statusTopic, encode(PayloadKind.WILL, thisConnection, 0), 1,
                        true))
                : Optional.empty();
        connectWithSession(initial, will).whenComplete((sessionPresent, error) -> {
            if (error != null) {
                onConnectFailed(thisConnection, error);
            } else {
                onConnected(thisConnection, initial, sessionPresent);
            }
        });
    }

    /**
     * Starts a persistent device from an empty session, so nothing queued by an earlier run arrives. MQTT 5
     * does it in one CONNECT; 3.1.1 needs a clean connection first, because clean session 1 ends the session
     * with the connection.
     */
    private CompletableFuture<Boolean> connectWithSession(boolean initial, Optional<ClientSettings.Will> will) {
        if (!persistent) {
            return client.connect(true, will);
        }
        if (!initial) {
            return client.connect(false, will);
        }
        if (config.devices().mqttVersion() == MqttVersion.V5) {
            return client.connect(true, will);
        }
        return client.connect(true, will)
                .thenCompose(present -> client.disconnect())
                .thenCompose(done -> client.connect(false, will));
    }

    private void onConnected(long thisConnection, boolean initial, boolean sessionPresent) {
        Metrics metrics = fleet.metrics();
        long now = System.nanoTime();
        boolean subscribe;
        synchronized (this) {
            if (state == State.STOPPED) {
                return;
            }
            state = State.ONLINE;
            subscribe = config.commands().enabled() && (!persistent || !sessionPresent);
            if (persistent && !sessionPresent && hasSubscription) {
                hasSubscription = false;
                fleet.verification().sessionEnded(id);
            }
        }
        metrics.connects.increment();
        metrics.devicesOnline.incrementAndGet();
        Metrics.recordMicros(metrics.connectTime, (now - connectStartNanos) / 1_000);
        if (initial) {
            metrics.initialConnectDone(now);
        } else {
            metrics.reconnects.increment();
            Metrics.recordMicros(metrics.reconnectTime, (now - connectStartNanos) / 1_000);
        }
        CompletableFuture<Void> subscribed = subscribe
                ? client.subscribe(Map.of(commandTopic, config.commands().qos()))
                : CompletableFuture.completedFuture(null);
        subscribed.whenComplete((done, error) -> onSubscribed(thisConnection, subscribe, error));
    }

    private void onSubscribed(long thisConnection, boolean subscribed, Throwable error) {
        if (error != null) {
            LOG.warn("client={} subscription to {} failed: {}", id, commandTopic, error.toString());
        } else if (subscribed) {
            synchronized (this) {
                hasSubscription = true;
            }
            fleet.verification().subscribed(id);
        }
        publishStatus(PayloadKind.STATUS_ONLINE).whenComplete((done, failure) -> settle(thisConnection));
        synchronized (this) {
            if (state == State.ONLINE && publishing) {
                scheduleTelemetry(random.nextLong(Math.max(1, config.telemetry().interval().toMillis())));
            }
        }
    }

    private synchronized void settle(long settled) {
        settledConnection = Math.max(settledConnection, settled);
    }

    private void onConnectFailed(long attempted, Throwable error) {
        // The broker may have accepted the CONNECT and then ended the connection, for example with a
        // DISCONNECT for a protocol error; its will may then arrive, but need not.
        allowWill(attempted);
        fleet.metrics().connectFailures.increment();
        if (CONNECTION_LOG.allow()) {
            LOG.warn("client={} connect failed, retrying in {} ms: {}{}", id, RETRY_MILLIS, error.toString(),
                    CONNECTION_LOG.suffix());
        }
        synchronized (this) {
            if (state == State.STOPPED) {
                return;
            }
            state = State.OFFLINE;
        }
        scheduleReconnect(RETRY_MILLIS);
    }

    private CompletableFuture<Void> publishStatus(PayloadKind kind) {
        if (!config.telemetry().retainedStatus()) {
            return CompletableFuture.completedFuture(null);
        }
        long seq;
        synchronized (this) {
            seq = ++statusSeq;
        }
        Verification verification = fleet.verification();
        verification.published(id, statusTopic, seq, 1);
        verification.retainedExpected(statusTopic, kind, seq, false);
        return publish(OutboundMessage.of(statusTopic, encode(kind, seq, 0), 1, true), statusTopic, seq)
                .thenRun(() -> verification.retainedConfirmed(statusTopic, kind, seq));
    }

    private void scheduleTelemetry(long delayMillis) {
        telemetryTask = fleet.scheduler().schedule(this::publishTelemetry, delayMillis, TimeUnit.MILLISECONDS);
    }

    private void publishTelemetry() {
        synchronized (telemetryOrder) {
            long seq;
            int qos;
            synchronized (this) {
                if (state != State.ONLINE || !publishing) {
                    return;
                }
                int limit = config.limits().messagesPerDevice();
                if (limit > 0 && telemetrySent >= limit) {
                    publishing = false;
                    onFinished.run();
                    return;
                }
                telemetrySent++;
                seq = ++telemetrySeq;
                qos = config.telemetry().qos().pick(random);
                fleet.verification().published(id, telemetryTopic, seq, qos);
                scheduleTelemetry(nextDelayMillis());
            }
            byte[] payload = PayloadCodec.encode(
                    new Payload(PayloadKind.TELEMETRY, id, seq, SimClock.nowMicros(), 0),
                    config.telemetry().payloadSize());
            publish(OutboundMessage.of(telemetryTopic, payload, qos, false), telemetryTopic, seq);
        }
    }

    private long nextDelayMillis() {
        long jitter = config.telemetry().jitter().toMillis();
        return config.telemetry().interval().toMillis() + (jitter > 0 ? random.nextLong(jitter + 1) : 0);
    }

    private CompletableFuture<Void> publish(OutboundMessage message, String topic, long seq) {
        Metrics metrics = fleet.metrics();
        metrics.published.increment();
        return client.publish(message).whenComplete((done, error) -> {
            if (error == null) {
                metrics.acknowledged.increment();
                fleet.verification().acknowledged(id, topic, seq);
            } else {
                metrics.publishFailures.increment();
            }
        });
    }

    /**
     * Takes the device offline: {@code drop} closes the socket so the will fires, otherwise it publishes an
     * offline status and disconnects cleanly. Returns false if the device was not online.
     */
    boolean churn(boolean drop) {
        long lostConnection;
        synchronized (this) {
            if (state != State.ONLINE || !publishing) {
                return false;
            }
            goOffline();
            offlineByChurn = true;
            lostConnection = connection;
        }
        Verification verification = fleet.verification();
        long offlineMillis = config.churn().offlineTime().toMillis();
        if (drop) {
            fleet.metrics().drops.increment();
            if (config.telemetry().retainedStatus()) {
                verification.willExpected(id, lostConnection, true, fleet.subscriberIds());
                verification.retainedExpected(statusTopic, PayloadKind.WILL, lostConnection, true);
            }
            client.drop();
            scheduleReconnect(offlineMillis);
            return true;
        }
        fleet.metrics().cleanDisconnects.increment();
        publishStatus(PayloadKind.STATUS_OFFLINE)
                .handle((done, error) -> null)
                .thenCompose(ignored -> client.disconnect())
                .whenComplete((done, error) -> {
                    if (error != null) {
                        LOG.warn("client={} clean disconnect failed: {}", id, error.toString());
                    }
                    scheduleReconnect(offlineMillis);
                });
        return true;
    }

    /** Marks the session gone for the verifier when it ends with the connection; caller holds the lock. */
    private void goOffline() {
        state = State.OFFLINE;
        if (telemetryTask != null) {
            telemetryTask.cancel(false);
        }
        fleet.metrics().devicesOnline.decrementAndGet();
        if (!persistent && hasSubscription) {
            hasSubscription = false;
            fleet.verification().sessionEnded(id);
        }
    }

    private void scheduleReconnect(long delayMillis) {
        fleet.scheduler().schedule(this::connect, delayMillis, TimeUnit.MILLISECONDS);
    }

    /** Registers a will that may arrive for {@code lost}, a connection the broker or the network ended. */
    private void allowWill(long lost) {
        if (config.telemetry().retainedStatus()) {
            fleet.verification().willExpected(id, lost, false, fleet.subscriberIds());
            fleet.verification().retainedExpected(statusTopic, PayloadKind.WILL, lost, false);
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        long lostConnection;
        synchronized (this) {
            if (state == State.CONNECTING && !offlineByChurn) {
                // Lost while the connect was still completing: the broker may already have taken it.
                allowWill(connection);
                return;
            }
            if (state != State.ONLINE || offlineByChurn) {
                return;
            }
            goOffline();
            lostConnection = connection;
        }
        fleet.metrics().connectionsLost.increment();
        if (CONNECTION_LOG.allow()) {
            LOG.warn("client={} connection lost, reconnecting in {} ms: {}{}", id, RETRY_MILLIS, cause.toString(),
                    CONNECTION_LOG.suffix());
        }
        if (config.telemetry().retainedStatus()) {
            fleet.verification().willExpected(id, lostConnection, false, fleet.subscriberIds());
            fleet.verification().retainedExpected(statusTopic, PayloadKind.WILL, lostConnection, false);
        }
        scheduleReconnect(RETRY_MILLIS);
    }

    @Override
    public void messageArrived(InboundMessage message) {
        Optional<Payload> payload = fleet.verification().onMessage(id, message);
        if (payload.isPresent() && payload.get().kind() == PayloadKind.COMMAND) {
            reply(payload.get(), message);
        }
    }

    /**
     * Replies to a command. MQTT 5 replies go to the response topic with the correlation data copied; 3.1.1 has
     * neither, so the reply goes to the configured topic and carries the command's sequence number.
     */
    private void reply(Payload command, InboundMessage message) {
        boolean v5 = config.devices().mqttVersion() == MqttVersion.V5;
        String topic = v5 ? message.responseTopic().orElse(replyTopic) : replyTopic;
        long seq;
        synchronized (this) {
            if (state != State.ONLINE) {
                return;
            }
            seq = ++replySeq;
        }
        int qos = config.commands().qos();
        fleet.verification().published(id, topic, seq, qos);
        byte[] payload = encode(PayloadKind.REPLY, seq, v5 ? 0 : command.seq());
        publish(new OutboundMessage(topic, payload, qos, false, Optional.empty(),
                v5 ? message.correlationData() : Optional.empty()), topic, seq);
    }

    /** Stops telemetry; churned devices still come back so that their queued messages can arrive. */
    synchronized void stopPublishing() {
        publishing = false;
        if (telemetryTask != null) {
            telemetryTask.cancel(false);
        }
    }

    /** Disconnects cleanly for good and releases the client. */
    CompletableFuture<Void> stop() {
        boolean wasOnline;
        synchronized (this) {
            wasOnline = state == State.ONLINE;
            state = State.STOPPED;
            if (telemetryTask != null) {
                telemetryTask.cancel(false);
            }
        }
        if (!wasOnline) {
            client.close();
            return CompletableFuture.completedFuture(null);
        }
        fleet.metrics().devicesOnline.decrementAndGet();
        return client.disconnect()
                .orTimeout(10, TimeUnit.SECONDS)
                .handle((done, error) -> {
                    client.close();
                    return null;
                });
    }

    private byte[] encode(PayloadKind kind, long seq, long ref) {
        return PayloadCodec.encode(new Payload(kind, id, seq, SimClock.nowMicros(), ref), 0);
    }
}
