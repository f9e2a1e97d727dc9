package io.ferrymq.sim.client;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubAckMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * MQTT 3.1.1 client on Vert.x. All fields are owned by the client's event-loop context: every method hops
 * onto it, which also orders the packet-id bookkeeping before any acknowledgement can arrive.
 */
final class VertxClient implements SimClient {
    /** Vert.x allows 10 unacknowledged messages by default; the broker's limit should be the one that binds. */
    private static final int MAX_INFLIGHT = 1000;

    private final Vertx vertx;
    private final Context context;
    private final String host;
    private final int port;
    private final MqttClientOptions options;
    private final ClientListener listener;
    private final boolean persistentSession;
    private final Map<Integer, CompletableFuture<Void>> pendingPublishes = new HashMap<>();
    private final Map<Integer, CompletableFuture<Void>> pendingSubscribes = new HashMap<>();
    private MqttClient client;
    private boolean disconnecting;

    VertxClient(Vertx vertx, String host, int port, ClientSettings settings, ClientListener listener) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.host = host;
        this.port = port;
        this.listener = listener;
        this.persistentSession = settings.persistentSession();
        this.options = options(settings);
    }

    private static MqttClientOptions options(ClientSettings settings) {
        MqttClientOptions options = new MqttClientOptions()
                .setClientId(settings.clientId())
                .setKeepAliveInterval((int) settings.keepAlive().toSeconds())
                .setMaxInflightQueue(MAX_INFLIGHT);
        options.setConnectTimeout(30_000);
        if (!settings.username().isEmpty()) {
            options.setUsername(settings.username());
        }
        if (!settings.password().isEmpty()) {
            options.setPassword(settings.password());
        }
        return options;
    }

    @Override
    public CompletableFuture<Boolean> connect(boolean cleanStart, Optional<ClientSettings.Will> will) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        context.runOnContext(ignored -> {
            disconnecting = false;
            options.setCleanSession(cleanStart || !persistentSession);
            will.ifPresent(w -> options.setWillFlag(true)
                    .setWillTopic(w.topic())
                    .setWillMessageBytes(Buffer.buffer(w.payload()))
                    .setWillQoS(w.qos())
                    .setWillRetain(w.retain()));
            client = MqttClient.create(vertx, options);
            client.publishHandler(this::onPublish)
                    .publishCompletionHandler(this::onPublishComplete)
                    .publishCompletionExpirationHandler(this::onPublishExpired)
                    .subscribeCompletionHandler(this::onSubAck)
                    .closeHandler(closed -> onClose());
            client.connect(port, host).onComplete(
                    connAck -> result.complete(connAck.isSessionPresent()),
                    result::completeExceptionally);
        });
        return result;
    }

    @Override
    public CompletableFuture<Void> subscribe(Map<String, Integer> filters) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        context.runOnContext(ignored -> client.subscribe(filters).onComplete(
                packetId -> pendingSubscribes.put(packetId, result),
                result::completeExceptionally));
        return result;
    }

    @Override
    public CompletableFuture<Void> publish(OutboundMessage message) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        context.runOnContext(ignored -> client.publish(message.topic(), Buffer.buffer(message.payload()),
                MqttQoS.valueOf(message.qos()), false, message.retain()).onComplete(
                        packetId -> {
                            if (message.qos() == 0) {
                                result.complete(null);
                            } else {
                                pendingPublishes.put(packetId, result);
                            }
                        },
                        result::completeExceptionally));
        return result;
    }

    @Override
    public CompletableFuture<Void> disconnect() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        context.runOnContext(ignored -> {
            disconnecting = true;
            client.disconnect().onComplete(done -> result.complete(null), result::completeExceptionally);
        });
        return result;
    }

    @Override
    public void drop() {
        throw new UnsupportedOperationException("The Vert.x MQTT client cannot close a socket without DISCONNECT");
    }

    @Override
    public void close() {
        // The shared Vert.x instance owns the sockets; disconnect() already closed this client's connection.
    }

    private void onPublish(MqttPublishMessage message) {
        listener.messageArrived(new InboundMessage(message.topicName(), message.payload().getBytes(),
                message.qosLevel().value(), message.isRetain(), message.isDup(), Optional.empty(),
                Optional.empty()));
    }

    private void onPublishComplete(int packetId) {
        CompletableFuture<Void> pending = pendingPublishes.remove(packetId);
        if (pending != null) {
            pending.complete(null);
        }
    }

    private void onPublishExpired(int packetId) {
        CompletableFuture<Void> pending = pendingPublishes.remove(packetId);
        if (pending != null) {
            pending.completeExceptionally(new IOException("No acknowledgement for packet id " + packetId));
        }
    }

    private void onSubAck(MqttSubAckMessage subAck) {
        CompletableFuture<Void> pending = pendingSubscribes.remove(subAck.messageId());
        if (pending == null) {
            return;
        }
        if (subAck.grantedQoSLevels().stream().anyMatch(qos -> qos >= 0x80)) {
            pending.completeExceptionally(new IllegalStateException("Broker rejected subscription with 0x80"));
        } else {
            pending.complete(null);
        }
    }

    private void onClose() {
        IOException closed = new IOException("Connection closed");
        List<CompletableFuture<Void>> pending = new ArrayList<>(pendingPublishes.values());
        pending.addAll(pendingSubscribes.values());
        pendingPublishes.clear();
        pendingSubscribes.clear();
        pending.forEach(future -> future.completeExceptionally(closed));
        if (!disconnecting) {
            listener.connectionLost(closed);
        }
    }

    @Override
    public String toString() {
        return "vertx " + options.getClientId();
    }
}
