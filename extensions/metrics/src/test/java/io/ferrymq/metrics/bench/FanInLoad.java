package io.ferrymq.metrics.bench;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fan-in load: N publishers send to one subscriber of {@code bench/#} as fast as the broker delivers.
 * Each publisher keeps {@code window} messages on their way: it sends one more each time the subscriber
 * receives one of its messages, which bounds every queue at any QoS.
 *
 * <p>Threading: each publisher and the subscriber live on their own Vert.x context; the subscriber
 * hands each receipt to the publisher's context.
 */
final class FanInLoad implements AutoCloseable {

  private final Vertx vertx;
  private final int port;
  private final MqttQoS qos;
  private final Buffer payload;
  private final int window;
  private final List<Publisher> publishers = new ArrayList<>();
  private final AtomicLong delivered = new AtomicLong();
  private MqttClient subscriber;
  private volatile boolean running = true;

  FanInLoad(Vertx vertx, int port, int publisherCount, int window, MqttQoS qos, int payloadBytes) {
    this.vertx = vertx;
    this.port = port;
    this.qos = qos;
    this.window = window;
    this.payload = Buffer.buffer(new byte[payloadBytes]);
    for (int i = 0; i < publisherCount; i++) {
      publishers.add(new Publisher(i));
    }
  }

  /** Connects every client, subscribes, then lets each publisher fill its window. */
  void start() throws Exception {
    MqttClientOptions options = new MqttClientOptions().setClientId("bench-subscriber").setMaxInflightQueue(65535);
    subscriber = MqttClient.create(vertx, options);
    subscriber.publishHandler(message -> {
      delivered.incrementAndGet();
      Publisher owner = publishers.get(Integer.parseInt(message.topicName().substring("bench/".length())));
      owner.context.runOnContext(v -> owner.sendOne());
    });
    Context subscriberContext = vertx.getOrCreateContext();
    await(subscriberContext, () -> subscriber.connect(port, "127.0.0.1")
        .compose(ack -> subscriber.subscribe("bench/#", qos.value())).mapEmpty());
    for (Publisher p : publishers) {
      await(p.context, () -> p.client.connect(port, "127.0.0.1").mapEmpty());
    }
    for (Publisher p : publishers) {
      p.context.runOnContext(v -> {
        for (int i = 0; i < window; i++) {
          p.sendOne();
        }
      });
    }
  }

  long delivered() {
    return delivered.get();
  }

  private static void await(Context context, java.util.function.Supplier<io.vertx.core.Future<Void>> action)
      throws Exception {
    java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
    context.runOnContext(v -> action.get().onComplete(r -> {
      if (r.succeeded()) {
        done.complete(null);
      } else {
        done.completeExceptionally(r.cause());
      }
    }));
    done.get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    running = false;
    // Lets messages on their way arrive, so the next phase starts from empty queues.
    Thread.sleep(500);
    for (Publisher p : publishers) {
      await(p.context, () -> p.client.disconnect());
    }
    await(vertx.getOrCreateContext(), () -> subscriber.disconnect());
  }

  /** One publishing connection, used only on its own context. */
  private final class Publisher {
    final MqttClient client;
    final Context context = vertx.getOrCreateContext();
    final String topic;

    Publisher(int index) {
      this.topic = "bench/" + index;
      // PUBACKs may trail the deliveries that pace this publisher, so its unacknowledged QoS 1 and 2
      // messages can exceed the window. The client's limit only has to stay out of the way.
      this.client = MqttClient.create(vertx, new MqttClientOptions().setClientId("bench-publisher-" + index)
          .setMaxInflightQueue(65535));
    }

    void sendOne() {
      if (running && client.isConnected()) {
        client.publish(topic, payload, qos, false, false);
      }
    }
  }
}
