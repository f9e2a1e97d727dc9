package io.ferrymq.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ferrymq.backpressure.testing.BackpressureBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Publishers over their rate limit, with Paho clients against a broker running the extension. */
@Timeout(60)
class RateLimitTest {

  private static final int RATE = 100;
  private static final int BURST = 20;
  private static final int MESSAGES = 320;

  @Test
  void publisherSettlesAtLimitWithoutLoss() throws Exception {
    Map<String, Object> settings = Map.of("rate-limit-rules", List.of(
        Map.of("client-id", "flood-*", "messages-per-second", RATE, "burst-messages", BURST)));
    try (BackpressureBroker broker = BackpressureBroker.start(settings)) {
      Set<String> received = ConcurrentHashMap.newKeySet();
      MqttClient sub = connect(broker, "sub");
      sub.subscribe("flood/#", 1, (topic, message) -> received.add(new String(message.getPayload(), StandardCharsets.UTF_8)));

      MqttAsyncClient pub = new MqttAsyncClient(broker.uri(), "flood-1", new MemoryPersistence());
      MqttConnectOptions options = new MqttConnectOptions();
      options.setMaxInflight(64);
      pub.connect(options).waitForCompletion(5_000);

      Semaphore window = new Semaphore(50);
      AtomicInteger acked = new AtomicInteger();
      AtomicLong lastAckNanos = new AtomicLong();
      long start = System.nanoTime();
      for (int i = 0; i < MESSAGES; i++) {
        window.acquire();
        pub.publish("flood/1", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false, null, new IMqttActionListener() {
          @Override
          public void onSuccess(IMqttToken token) {
            acked.incrementAndGet();
            lastAckNanos.set(System.nanoTime());
            window.release();
          }

          @Override
          public void onFailure(IMqttToken token, Throwable error) {
            window.release();
          }
        });
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> acked.get() == MESSAGES);
      await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == MESSAGES);

      double seconds = (lastAckNanos.get() - start) / 1e9;
      double settledRate = (MESSAGES - BURST) / seconds;
      assertThat(settledRate).as("messages per second after the burst").isBetween(RATE * 0.5, RATE * 1.1);
      assertThat(broker.probe.rateLimitPauses.sum()).isPositive();
      assertThat(TimeUnit.NANOSECONDS.toMillis(broker.probe.rateLimitPausedNanos.sum())).isPositive();
      assertThat(received).hasSize(MESSAGES).contains("m0", "m" + (MESSAGES - 1));
      pub.disconnect().waitForCompletion(5_000);
      pub.close();
      sub.disconnect();
      sub.close();
    }
  }

  @Test
  void clientOutsideRulesIsNotPaused() throws Exception {
    Map<String, Object> settings = Map.of("rate-limit-rules", List.of(
        Map.of("client-id", "flood-*", "messages-per-second", 10, "burst-messages", 1)));
    try (BackpressureBroker broker = BackpressureBroker.start(settings)) {
      MqttClient pub = connect(broker, "steady-1");
      for (int i = 0; i < 200; i++) {
        pub.publish("steady/1", new MqttMessage(("m" + i).getBytes(StandardCharsets.UTF_8)));
      }

      assertThat(broker.probe.rateLimitPauses.sum()).isZero();
      pub.disconnect();
      pub.close();
    }
  }

  static MqttClient connect(BackpressureBroker broker, String clientId) throws Exception {
    MqttClient client = new MqttClient(broker.uri(), clientId, new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMaxInflight(1000);
    client.connect(options);
    return client;
  }
}
