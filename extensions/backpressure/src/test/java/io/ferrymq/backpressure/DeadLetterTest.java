package io.ferrymq.backpressure;

import static io.ferrymq.backpressure.SlowSubscriberTest.connect;
import static io.ferrymq.backpressure.SlowSubscriberTest.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ferrymq.backpressure.testing.BackpressureBroker;
import io.ferrymq.backpressure.testing.RawClient;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Subscribers that never acknowledge a message, until it reaches the dead-letter topic. */
@Timeout(60)
class DeadLetterTest {

  /** A PUBLISH as a test records it: what it carried and when it arrived. */
  record Received(String topic, int packetId, boolean dup, String payload, Map<String, String> userProperties,
                  String contentType, long arrivedNanos) {

    static Received of(MqttPublishMessage p) {
      Map<String, String> user = new LinkedHashMap<>();
      MqttProperties.MqttProperty<?> raw = p.variableHeader().properties()
          .getProperty(MqttProperties.MqttPropertyType.USER_PROPERTY.value());
      if (raw instanceof MqttProperties.UserProperties list) {
        list.value().forEach(pair -> user.put(pair.key, pair.value));
      }
      MqttProperties.MqttProperty<?> type = p.variableHeader().properties()
          .getProperty(MqttProperties.MqttPropertyType.CONTENT_TYPE.value());
      return new Received(p.variableHeader().topicName(), p.variableHeader().packetId(), p.fixedHeader().isDup(),
          p.payload().toString(StandardCharsets.UTF_8), user, type == null ? null : (String) type.value(),
          System.nanoTime());
    }
  }

  @Test
  void unackedMessageDeadLetteredAfterReconnects() throws Exception {
    Map<String, Object> settings = Map.of("redelivery", Map.of("max-attempts", 3));
    try (BackpressureBroker broker = BackpressureBroker.start(settings);
         RawClient ops = new RawClient(broker.port());
         RawClient pub = new RawClient(broker.port())) {
      List<Received> deadLetters = watchDeadLetters(ops);
      RawClient worker = new RawClient(broker.port());
      assertThat(connectPersistent(worker, "worker/7")).isFalse();
      worker.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "jobs/#").build());
      assertThat(worker.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
      connect(pub, "pub", MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES);
      publishPoisonJob(pub);

      Received first = nextPublish(worker);
      assertThat(first.dup()).isFalse();
      for (int attempt = 2; attempt <= 3; attempt++) {
        worker.close();
        worker = new RawClient(broker.port());
        assertThat(connectPersistent(worker, "worker/7")).isTrue();
        Received again = nextPublish(worker);
        assertThat(again.dup()).as("DUP of attempt %d", attempt).isTrue();
        assertThat(again.packetId()).isEqualTo(first.packetId());
      }
      worker.close();
      worker = new RawClient(broker.port());
      List<Received> afterLimit = new CopyOnWriteArrayList<>();
      worker.watchPublishes(p -> afterLimit.add(Received.of(p)));
      assertThat(connectPersistent(worker, "worker/7")).isTrue();

      await().atMost(Duration.ofSeconds(5)).until(() -> deadLetters.size() == 1);
      Received dead = deadLetters.get(0);
      assertThat(dead.topic()).isEqualTo("$dead-letter/worker_7/jobs/a");
      assertThat(dead.payload()).isEqualTo("reboot --force");
      assertThat(dead.contentType()).isEqualTo("text/plain");
      assertThat(dead.userProperties()).containsEntry("trace", "42")
          .containsEntry("dead-letter-reason", "max-delivery-attempts")
          .containsEntry("dead-letter-attempts", "3")
          .containsEntry("dead-letter-client-id", "worker/7");
      assertThat(broker.probe.deadLettered).hasSize(1);
      // The message left the session: the fourth connection gets nothing more.
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(afterLimit::isEmpty);
      worker.close();
    }
  }

  @Test
  void v3RetransmitsWithBackoffThenDeadLetters() throws Exception {
    Map<String, Object> settings = Map.of("redelivery", Map.of("max-attempts", 4, "retransmit", true,
        "initial-delay", "100ms", "factor", 2));
    try (BackpressureBroker broker = BackpressureBroker.start(settings);
         RawClient ops = new RawClient(broker.port());
         RawClient legacy = new RawClient(broker.port());
         RawClient pub = new RawClient(broker.port())) {
      List<Received> deadLetters = watchDeadLetters(ops);
      subscribe(legacy, "legacy", MqttVersion.MQTT_3_1_1, MqttProperties.NO_PROPERTIES, "jobs/#", MqttQoS.AT_LEAST_ONCE);
      List<Received> attempts = new CopyOnWriteArrayList<>();
      legacy.watchPublishes(p -> attempts.add(Received.of(p)));
      connect(pub, "pub", MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES);
      publishPoisonJob(pub);

      await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters.size() == 1);

      assertThat(attempts).hasSize(4);
      assertThat(attempts).extracting(Received::dup).containsExactly(false, true, true, true);
      assertThat(attempts).extracting(Received::packetId).containsOnly(attempts.get(0).packetId());
      // The gaps are taken where the broker writes each send, because delays on the way to the client
      // can shorten the gaps the client sees. Timers never fire early; a loaded machine only makes gaps longer.
      List<Long> sends = broker.probe.sendTimes("jobs/a");
      assertThat(sends).hasSize(4);
      long[] expectedMillis = {100, 200, 400};
      for (int i = 1; i < sends.size(); i++) {
        long gapMillis = (sends.get(i) - sends.get(i - 1)) / 1_000_000;
        assertThat(gapMillis).as("gap before attempt %d, ms", i + 1).isGreaterThanOrEqualTo(expectedMillis[i - 1]);
      }
      assertThat(deadLetters.get(0).userProperties()).containsEntry("dead-letter-attempts", "4");
      await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(2)).until(() -> attempts.size() == 4);
    }
  }

  /** Connects with Clean Start 0 and a session that outlives the connection; returns Session Present. */
  private static boolean connectPersistent(RawClient client, String clientId) throws Exception {
    MqttProperties props = new MqttProperties();
    props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), 300));
    MqttMessage connack = client.connect(MqttVersion.MQTT_5, clientId, false, 60, props);
    MqttConnAckMessage ack = (MqttConnAckMessage) connack;
    assertThat(ack.variableHeader().connectReturnCode().byteValue()).isZero();
    return ack.variableHeader().isSessionPresent();
  }

  private static void publishPoisonJob(RawClient pub) throws Exception {
    MqttProperties props = new MqttProperties();
    props.add(new MqttProperties.UserProperties(List.of(new MqttProperties.StringPair("trace", "42"))));
    props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.CONTENT_TYPE.value(), "text/plain"));
    pub.send(MqttMessageBuilders.publish().topicName("jobs/a").qos(MqttQoS.AT_LEAST_ONCE).messageId(1)
        .properties(props).payload(Unpooled.wrappedBuffer("reboot --force".getBytes(StandardCharsets.UTF_8))).build());
    MqttMessage puback = pub.next();
    assertThat(puback.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
  }

  private static List<Received> watchDeadLetters(RawClient ops) throws Exception {
    subscribe(ops, "ops", MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES, "$dead-letter/#", MqttQoS.AT_LEAST_ONCE);
    List<Received> received = new CopyOnWriteArrayList<>();
    ops.onPublish(p -> received.add(Received.of(p)));
    return received;
  }

  private static Received nextPublish(RawClient client) throws InterruptedException {
    MqttMessage packet = client.next(5_000);
    assertThat(packet).isInstanceOf(MqttPublishMessage.class);
    try {
      return Received.of((MqttPublishMessage) packet);
    } finally {
      RawClient.release(packet);
    }
  }
}
