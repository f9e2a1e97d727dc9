package io.ferrymq.bench.load;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.util.concurrent.CompletableFuture;

/**
 * An MQTT 3.1.1 connection of the load generator, on one Vert.x event loop. Its handlers and every
 * call on {@link #client} run on {@link #context}; the subclasses keep their state there too.
 */
abstract class BenchClient {

  /** Header of every payload: publisher index (int), sequence number (long), send time (long, nanoTime). */
  static final int HEADER_BYTES = Integer.BYTES + 2 * Long.BYTES;

  final Context context;
  final MqttClient client;
  private volatile boolean closedByBroker;
  private volatile boolean disconnecting;

  BenchClient(Vertx vertx, String clientId, int maxInflight) {
    this(vertx, clientId, maxInflight, true);
  }

  /** @param cleanSession false makes the broker keep the session, and its queued messages, across connections */
  BenchClient(Vertx vertx, String clientId, int maxInflight, boolean cleanSession) {
    this.context = vertx.getOrCreateContext();
    MqttClientOptions options = new MqttClientOptions()
        .setClientId(clientId)
        .setCleanSession(cleanSession)
        .setKeepAliveInterval(60)
        .setMaxInflightQueue(maxInflight);
    this.client = MqttClient.create(vertx, options);
    client.closeHandler(closed -> closedByBroker = !disconnecting);
  }

  /** Connects on this client's event loop; completes on CONNACK. */
  CompletableFuture<Void> connect(int port) {
    CompletableFuture<Void> connected = new CompletableFuture<>();
    context.runOnContext(ignored -> client.connect(port, BrokerProcess.HOST).onComplete(
        connAck -> connected.complete(null), connected::completeExceptionally));
    return connected;
  }

  /** Sends DISCONNECT and closes the connection; completes when the socket is closed. */
  CompletableFuture<Void> disconnect() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    disconnecting = true;
    context.runOnContext(ignored -> {
      if (!client.isConnected()) {
        done.complete(null);
        return;
      }
      client.disconnect().onComplete(ok -> done.complete(null), done::completeExceptionally);
    });
    return done;
  }

  /** Returns whether the connection closed without this client asking for it. */
  boolean closedByBroker() {
    return closedByBroker;
  }

  static Buffer payload(int publisher, long sequence, int size) {
    Buffer buffer = Buffer.buffer(size);
    buffer.appendInt(publisher).appendLong(sequence).appendLong(System.nanoTime());
    for (int i = HEADER_BYTES; i < size; i++) {
      buffer.appendByte((byte) 'x');
    }
    return buffer;
  }
}
