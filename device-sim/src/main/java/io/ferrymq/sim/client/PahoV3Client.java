package io.ferrymq.sim.client;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.ScheduledExecutorPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * MQTT 3.1.1 client on Paho mqttv3. The client object lives as long as the device, so its in-memory
 * persistence keeps in-flight messages across reconnects of a persistent session.
 */
final class PahoV3Client implements SimClient {
    /** Paho's default of 10 in-flight messages throttles a fast publisher; the broker still bounds it. */
    private static final int MAX_INFLIGHT = 1000;

    private final MqttAsyncClient client;
    private final MqttConnectOptions options;
    private final DroppableSocketFactory sockets = new DroppableSocketFactory();
    private final boolean persistentSession;

    PahoV3Client(String serverUri, ClientSettings settings, ClientListener listener,
                 ScheduledExecutorService pingScheduler) {
        try {
            client = new MqttAsyncClient(serverUri, settings.clientId(), new MemoryPersistence(),
                    new ScheduledExecutorPingSender(pingScheduler));
        } catch (MqttException e) {
            throw new IllegalArgumentException("Invalid client settings for " + settings.clientId(), e);
        }
        client.setCallback(new Callback(listener));
        persistentSession = settings.persistentSession();
        options = connectOptions(settings);
    }

    private MqttConnectOptions connectOptions(ClientSettings settings) {
        MqttConnectOptions connect = new MqttConnectOptions();
        connect.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        connect.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
        connect.setAutomaticReconnect(false);
        connect.setMaxInflight(MAX_INFLIGHT);
        connect.setConnectionTimeout(30);
        connect.setSocketFactory(sockets);
        if (!settings.username().isEmpty()) {
            connect.setUserName(settings.username());
        }
        if (!settings.password().isEmpty()) {
            connect.setPassword(settings.password().toCharArray());
        }
        return connect;
    }

    @Override
    public CompletableFuture<Boolean> connect(boolean cleanStart, Optional<ClientSettings.Will> will) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        options.setCleanSession(cleanStart || !persistentSession);
        will.ifPresent(w -> options.setWill(w.topic(), w.payload(), w.qos(), w.retain()));
        run(result, () -> client.connect(options, null, listener(result, token -> result.complete(
                token.getSessionPresent()))));
        return result;
    }

    @Override
    public CompletableFuture<Void> subscribe(Map<String, Integer> filters) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        String[] topics = filters.keySet().toArray(String[]::new);
        int[] qos = new int[topics.length];
        for (int i = 0; i < topics.length; i++) {
            qos[i] = filters.get(topics[i]);
        }
        run(result, () -> client.subscribe(topics, qos, null, listener(result, token -> {
            for (int granted : token.getGrantedQos()) {
                if (granted >= 0x80) {
                    result.completeExceptionally(new IllegalStateException("Broker rejected subscription to "
                            + String.join(", ", topics) + " with return code 0x80"));
                    return;
                }
            }
            result.complete(null);
        })));
        return result;
    }

    @Override
    public CompletableFuture<Void> publish(OutboundMessage message) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        run(result, () -> client.publish(message.topic(), message.payload(), message.qos(), message.retain(), null,
                listener(result, token -> result.complete(null))));
        return result;
    }

    @Override
    public CompletableFuture<Void> disconnect() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        // Paho rejects a disconnect from its own callback threads (reason code 32107), where the caller's
        // continuation may run, so the call moves to the common pool.
        CompletableFuture.runAsync(() -> run(result, () -> client.disconnect(0, null,
                listener(result, token -> result.complete(null)))));
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
                client.disconnectForcibly(0, 1000);
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

    private static IMqttActionListener listener(CompletableFuture<?> result, Consumer<IMqttToken> onSuccess) {
        return new IMqttActionListener() {
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
        public void connectionLost(Throwable cause) {
            listener.connectionLost(cause);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            listener.messageArrived(new InboundMessage(topic, message.getPayload(), message.getQos(),
                    message.isRetained(), message.isDuplicate(), Optional.empty(), Optional.empty()));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // Each publish completes through its own action listener.
        }
    }

    @Override
    public String toString() {
        return "paho-v3 " + client.getClientId();
    }
}
