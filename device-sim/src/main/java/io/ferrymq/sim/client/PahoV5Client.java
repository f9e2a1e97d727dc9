package io.ferrymq.sim.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.TimerPingSender;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * MQTT 5 client on Paho mqttv5. Like {@link PahoV3Client} it is reused across reconnects so that a persistent
 * session keeps its in-flight messages.
 */
final class PahoV5Client implements SimClient {
    private static final int NORMAL_DISCONNECTION = 0;

    private final MqttAsyncClient client;
    private final MqttConnectionOptions options;
    private final DroppableSocketFactory sockets = new DroppableSocketFactory();
    private final String clientId;

    PahoV5Client(String serverUri, ClientSettings settings, ClientListener listener,
                 ScheduledExecutorService pingScheduler) {
        this.clientId = settings.clientId();
        try {
            client = new MqttAsyncClient(serverUri, settings.clientId(), new MemoryPersistence(),
                    new TimerPingSender(pingScheduler), null);
        } catch (MqttException e) {
            throw new IllegalArgumentException("Invalid client settings for " + settings.clientId(), e);
        }
        client.setCallback(new Callback(listener));
        options = connectOptions(settings);
    }

    private MqttConnectionOptions connectOptions(ClientSettings settings) {
        MqttConnectionOptions connect = new MqttConnectionOptions();
        connect.setSessionExpiryInterval(settings.persistentSession() ? settings.sessionExpiry().toSeconds() : 0L);
        connect.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
        connect.setAutomaticReconnect(false);
        connect.setConnectionTimeout(30);
        connect.setSocketFactory(sockets);
        if (!settings.username().isEmpty()) {
            connect.setUserName(settings.username());
        }
        if (!settings.password().isEmpty()) {
            connect.setPassword(settings.password().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return connect;
    }

    @Override
    public CompletableFuture<Boolean> connect(boolean cleanStart, Optional<ClientSettings.Will> will) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        options.setCleanStart(cleanStart);
        will.ifPresent(w -> options.setWill(w.topic(), new MqttMessage(w.payload(), w.qos(), w.retain(), null)));
        run(result, () -> client.connect(options, null, listener(result, token -> result.complete(
                token.getSessionPresent()))));
        return result;
    }

    @Override
    public CompletableFuture<Void> subscribe(Map<String, Integer> filters) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        MqttSubscription[] subscriptions = filters.entrySet().stream()
                .map(entry -> new MqttSubscription(entry.getKey(), entry.getValue()))
                .toArray(MqttSubscription[]::new);
        run(result, () -> client.subscribe(subscriptions, null, listener(result, token -> {
            for (int reasonCode : token.getReasonCodes()) {
                if (reasonCode >= 0x80) {
                    result.completeExceptionally(new IllegalStateException("Broker rejected subscription to "
                            + String.join(", ", filters.keySet()) + " with reason code 0x"
                            + Integer.toHexString(reasonCode)));
                    return;
                }
            }
            result.complete(null);
        }), new MqttProperties()));
        return result;
    }

    @Override
    public CompletableFuture<Void> publish(OutboundMessage message) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        MqttProperties properties = new MqttProperties();
        message.responseTopic().ifPresent(properties::setResponseTopic);
        message.correlationData().ifPresent(properties::setCorrelationData);
        if (!message.userProperties().isEmpty()) {
            List<UserProperty> userProperties = new ArrayList<>();
            message.userProperties().forEach((key, value) -> userProperties.add(new UserProperty(key, value)));
            properties.setUserProperties(userProperties);
        }
        MqttMessage mqttMessage = new MqttMessage(message.payload(), message.qos(), message.retain(), properties);
        run(result, () -> client.publish(message.topic(), mqttMessage, null,
                listener(result, token -> result.complete(null))));
        return result;
    }

    @Override
    public CompletableFuture<Void> disconnect() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        // Paho rejects a disconnect from its own callback threads (reason code 32107), where the caller's
        // continuation may run, so the call moves to the common pool.
        CompletableFuture.runAsync(() -> run(result, () -> client.disconnect(0, null,
                listener(result, token -> result.complete(null)), NORMAL_DISCONNECTION, new MqttProperties())));
        return result;
    }

    @Override
    public void drop() {
        sockets.drop();
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 1000, false);
            }
            client.close(true);
        } catch (MqttException e) {
            // Closing a client that is already closed or still disconnecting leaves nothing to release.
        }
    }

    private interface PahoCall {
        void run() throws MqttException;
    }

    private static void run(CompletableFuture<?> result, PahoCall call) {
        try {
            call.run();
        } catch (MqttException | RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    private static MqttActionListener listener(CompletableFuture<?> result, Consumer<IMqttToken> onSuccess) {
        return new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                onSuccess.accept(token);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable cause) {
                result.completeExceptionally(cause);
            }
        };
    }

    private static final class Callback implements MqttCallback {
        private final ClientListener listener;

        Callback(ClientListener listener) {
            this.listener = listener;
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            Throwable cause = response.getException() != null ? response.getException()
                    : new IllegalStateException("Broker sent DISCONNECT with reason code "
                            + response.getReturnCode() + " " + response.getReasonString());
            listener.connectionLost(cause);
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            // Paho reports protocol errors here before it closes the connection, which disconnected() reports.
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            MqttProperties properties = message.getProperties();
            Optional<String> responseTopic = Optional.ofNullable(properties == null ? null
                    : properties.getResponseTopic());
            Optional<byte[]> correlation = Optional.ofNullable(properties == null ? null
                    : properties.getCorrelationData());
            Map<String, String> userProperties = new LinkedHashMap<>();
            if (properties != null && properties.getUserProperties() != null) {
                properties.getUserProperties().forEach(p -> userProperties.put(p.getKey(), p.getValue()));
            }
            listener.messageArrived(new InboundMessage(topic, message.getPayload(), message.getQos(),
                    message.isRetained(), message.isDuplicate(), responseTopic, correlation, userProperties));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // Each publish completes through its own action listener.
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            // connect() completes through its own action listener.
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            // The simulator uses no enhanced authentication.
        }
    }

    @Override
    public String toString() {
        return "paho-v5 " + clientId;
    }
}
