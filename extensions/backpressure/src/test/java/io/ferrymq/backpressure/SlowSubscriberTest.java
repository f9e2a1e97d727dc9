package io.ferrymq.backpressure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ferrymq.backpressure.testing.BackpressureBroker;
import io.ferrymq.backpressure.testing.RawClient;
import io.ferrymq.broker.config.BrokerConfig;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One subscriber that stops reading among healthy ones, and the queue overflow policies. */
@Timeout(60)
class SlowSubscriberTest {

  private static final int QUEUE_BOUND = 100;
  // Large enough that a few hundred messages overflow the socket buffers of a stalled loopback
  // connection (Linux lets the send buffer grow to 4 MiB by default), so that the session queue fills.
  private static final int PAYLOAD_BYTES = 16 * 1024;

  @Test
  void stalledSubscriberDoesNotSlowOthers() throws Exception {
    int messages = 600;
    int healthy = 4;
    Map<String, Object> settings = Map.of("queue", Map.of("max-messages", QUEUE_BOUND, "qos0-overflow", "drop-oldest"));
    try (BackpressureBroker broker = BackpressureBroker.start(settings);
         RawClient stalled = new RawClient(broker.port())) {
      subscribe(stalled, "stalled", MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES, "feed/#", MqttQoS.AT_MOST_ONCE);
      stalled.pauseReading();

      List<RawClient> others = new ArrayList<>();
      List<Set<Integer>> receivedByOthers = new ArrayList<>();
      List<Long> latenciesMicros = Collections.synchronizedList(new ArrayList<>());
      for (int i = 0; i < healthy; i++) {
        Set<Integer> received = ConcurrentHashMap.newKeySet();
        RawClient sub = new RawClient(broker.port());
        others.add(sub);
        subscribe(sub, "healthy-" + i, MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES, "feed/#", MqttQoS.AT_LEAST_ONCE);
        sub.onPublish(publish -> {
          latenciesMicros.add((System.nanoTime() - publish.payload().readLong()) / 1000);
          received.add(publish.payload().readInt());
        });
        receivedByOthers.add(received);
      }

      RawClient pub = new RawClient(broker.port());
      connect(pub, "publisher", MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES);
      // 200 messages per second, a rate the healthy subscribers keep up with on a loaded machine.
      assertThat(publishPaced(pub, messages, 200, MqttQoS.AT_LEAST_ONCE)).as("successful PUBACKs, drops %s", broker.probe.queueFullDrops).isEqualTo(messages);

      for (Set<Integer> received : receivedByOthers) {
        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == messages);
      }
      List<Long> sorted = new ArrayList<>(latenciesMicros);
      Collections.sort(sorted);
      long p99Millis = sorted.get((int) (sorted.size() * 0.99)) / 1000;
      // Generous for a loaded two-core machine; a subscriber held up by the stalled one would wait for ever.
      assertThat(p99Millis).as("p99 delivery latency of the healthy subscribers, ms").isLessThan(2000);
      // The healthy sessions have received everything, so whatever is queued belongs to the stalled one.
      assertThat(broker.probe.stats().queuedMessages()).isLessThanOrEqualTo(QUEUE_BOUND);
      assertThat(broker.probe.stats().queuedBytes()).isLessThanOrEqualTo((long) QUEUE_BOUND * PAYLOAD_BYTES);
      long dropped = broker.probe.queueFullDrops("stalled");
      assertThat(dropped).isPositive();
      for (int i = 0; i < healthy; i++) {
        assertThat(broker.probe.queueFullDrops("healthy-" + i)).isZero();
      }

      Set<Integer> stalledGot = ConcurrentHashMap.newKeySet();
      stalled.resumeReading();
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        drainPublishes(stalled, stalledGot);
        return stalledGot.size() + broker.probe.queueFullDrops("stalled") == messages;
      });
      // Drop-oldest keeps the newest messages: the last one published arrives.
      assertThat(stalledGot).contains(messages - 1);
      // Every message left the queues, so the broker's totals return to zero.
      await().atMost(Duration.ofSeconds(5)).until(() -> broker.probe.stats().queuedBytes() == 0);
      assertThat(broker.probe.stats().queuedMessages()).isZero();
      pub.close();
      for (RawClient sub : others) {
        sub.close();
      }
    }
  }

  @Test
  void dropNewestLosesLastMessage() throws Exception {
    Map<String, Object> settings = Map.of("queue", Map.of("max-messages", 10, "qos0-overflow", "drop-newest"));
    try (BackpressureBroker broker = BackpressureBroker.start(settings);
         RawClient stalled = new RawClient(broker.port())) {
      subscribe(stalled, "stalled", MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES, "feed/#", MqttQoS.AT_MOST_ONCE);
      stalled.pauseReading();
      RawClient pub = new RawClient(broker.port());
      connect(pub, "publisher", MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES);
      int messages = 1000;
      publishPaced(pub, messages, 0, MqttQoS.AT_MOST_ONCE);
      await().atMost(Duration.ofSeconds(10)).until(() -> broker.probe.queueFullDrops("stalled") > 0);

      Set<Integer> got = ConcurrentHashMap.newKeySet();
      stalled.resumeReading();
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        drainPublishes(stalled, got);
        return got.size() + broker.probe.queueFullDrops("stalled") == messages;
      });
      assertThat(got).doesNotContain(messages - 1).contains(0);
      pub.close();
    }
  }

  @Test
  void fullQueueRejectsQos1With0x97() throws Exception {
    Map<String, Object> settings = Map.of("queue", Map.of("max-messages", 5, "qos1-overflow", "reject-publish"));
    try (BackpressureBroker broker = BackpressureBroker.start(settings);
         RawClient slow = new RawClient(broker.port());
         RawClient pub = new RawClient(broker.port())) {
      subscribe(slow, "slow", MqttVersion.MQTT_5, receiveMaximum(1), "jobs/#", MqttQoS.AT_LEAST_ONCE);
      connect(pub, "pub", MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES);

      // One message in flight to the slow client (Receive Maximum 1) plus five queued fill its session.
      for (int packetId = 1; packetId <= 6; packetId++) {
        assertThat(publishQos1(pub, packetId)).as("reason code of PUBACK %d", packetId).isEqualTo(0x00);
      }
      assertThat(publishQos1(pub, 7)).isEqualTo(0x97);
      assertThat(publishQos1(pub, 8)).isEqualTo(0x97);
      assertThat(broker.probe.queueFullDrops("slow")).isEqualTo(2);
    }
  }

  @Test
  void brokerQueueBoundAppliesWithoutQueueSection() throws Exception {
    Map<String, Object> settings = Map.of("queue", Map.of("qos1-overflow", "reject-publish"));
    try (BackpressureBroker broker = BackpressureBroker.start(settings, BrokerConfig.builder().maxQueuedMessages(3));
         RawClient slow = new RawClient(broker.port());
         RawClient pub = new RawClient(broker.port())) {
      subscribe(slow, "slow", MqttVersion.MQTT_5, receiveMaximum(1), "jobs/#", MqttQoS.AT_LEAST_ONCE);
      connect(pub, "pub", MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES);

      // One message in flight plus the three that max-queued-messages allows.
      for (int packetId = 1; packetId <= 4; packetId++) {
        assertThat(publishQos1(pub, packetId)).as("reason code of PUBACK %d", packetId).isEqualTo(0x00);
      }
      assertThat(publishQos1(pub, 5)).isEqualTo(0x97);
    }
  }

  @Test
  void fullQueueDisconnectsSlowSubscriber() throws Exception {
    Map<String, Object> settings = Map.of("queue", Map.of("max-messages", 5, "qos1-overflow", "disconnect-subscriber"));
    try (BackpressureBroker broker = BackpressureBroker.start(settings);
         RawClient slow = new RawClient(broker.port());
         RawClient pub = new RawClient(broker.port())) {
      subscribe(slow, "slow", MqttVersion.MQTT_5, receiveMaximum(1), "jobs/#", MqttQoS.AT_LEAST_ONCE);
      connect(pub, "pub", MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES);

      for (int packetId = 1; packetId <= 7; packetId++) {
        assertThat(publishQos1(pub, packetId)).as("reason code of PUBACK %d", packetId).isEqualTo(0x00);
      }

      MqttMessage packet = slow.next();
      assertThat(packet.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBLISH);
      RawClient.release(packet);
      MqttMessage disconnect = slow.next();
      assertThat(disconnect.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
      assertThat(((MqttReasonCodeAndPropertiesVariableHeader) disconnect.variableHeader()).reasonCode() & 0xFF)
          .isEqualTo(0x97);
      assertThat(slow.next()).isSameAs(RawClient.CLOSED);
    }
  }

  static MqttProperties receiveMaximum(int value) {
    MqttProperties props = new MqttProperties();
    props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(), value));
    return props;
  }

  static void connect(RawClient client, String clientId, MqttVersion version, MqttProperties props) throws Exception {
    MqttMessage connack = client.connect(version, clientId, true, 60, props);
    assertThat(((MqttConnAckMessage) connack).variableHeader().connectReturnCode().byteValue()).isZero();
  }

  static void subscribe(RawClient client, String clientId, MqttVersion version, MqttProperties props, String filter,
                        MqttQoS qos) throws Exception {
    connect(client, clientId, version, props);
    client.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(qos, filter).build());
    MqttMessage suback = client.next();
    assertThat(suback.fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
  }

  /** Publishes QoS 1 on {@code jobs/a} and returns the PUBACK's reason code. */
  static int publishQos1(RawClient pub, int packetId) throws Exception {
    pub.send(MqttMessageBuilders.publish().topicName("jobs/a").qos(MqttQoS.AT_LEAST_ONCE).messageId(packetId)
        .payload(Unpooled.wrappedBuffer(("job " + packetId).getBytes(StandardCharsets.UTF_8))).build());
    MqttMessage puback = pub.next();
    assertThat(puback.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
    MqttPubReplyMessageVariableHeader header = (MqttPubReplyMessageVariableHeader) puback.variableHeader();
    assertThat(header.messageId()).isEqualTo(packetId);
    return header.reasonCode() & 0xFF;
  }

  /**
   * Publishes {@code count} messages on {@code feed/a}, each carrying its send time and sequence
   * number, at {@code perSecond} (0 for as fast as the socket takes them), with at most 50 QoS 1
   * publishes unacknowledged. Returns the number of PUBACKs with reason code 0.
   */
  static int publishPaced(RawClient pub, int count, int perSecond, MqttQoS qos) throws Exception {
    int outstanding = 0;
    int succeeded = 0;
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      if (perSecond > 0) {
        long due = start + i * 1_000_000_000L / perSecond;
        java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
      }
      for (; qos != MqttQoS.AT_MOST_ONCE && outstanding >= 50; outstanding--) {
        succeeded += pubackSucceeded(pub.next());
      }
      ByteBuffer payload = ByteBuffer.allocate(PAYLOAD_BYTES);
      payload.putLong(System.nanoTime()).putInt(i);
      int packetId = qos == MqttQoS.AT_MOST_ONCE ? 0 : i % 65535 + 1;
      pub.send(MqttMessageBuilders.publish().topicName("feed/a").qos(qos).messageId(packetId)
          .payload(Unpooled.wrappedBuffer(payload.array())).build());
      outstanding++;
    }
    for (; qos != MqttQoS.AT_MOST_ONCE && outstanding > 0; outstanding--) {
      succeeded += pubackSucceeded(pub.next());
    }
    return succeeded;
  }

  private static int pubackSucceeded(MqttMessage packet) {
    assertThat(packet.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
    int reason = ((MqttPubReplyMessageVariableHeader) packet.variableHeader()).reasonCode() & 0xFF;
    RawClient.release(packet);
    return reason == 0 ? 1 : 0;
  }

  /** Moves the sequence numbers of every PUBLISH received so far into {@code into}. */
  private static void drainPublishes(RawClient client, Set<Integer> into) throws InterruptedException {
    MqttMessage packet;
    while ((packet = client.poll(10)) != null) {
      if (packet instanceof MqttPublishMessage publish) {
        publish.payload().skipBytes(8);
        into.add(publish.payload().readInt());
      }
      RawClient.release(packet);
    }
  }
}
