package io.ferrymq.broker.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.FerryBroker;
import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.broker.testing.RawClient;
import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.broker.testing.V5Client;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A broker stopped and started again on the same stores must give back persistent sessions,
 * their subscriptions, queued and in-flight messages, inbound QoS 2 state and retained messages.
 */
@Timeout(60)
class StoreRestartTest {

  private final MemorySessionStore sessions = new MemorySessionStore();
  private final MemoryRetainedStore retained = new MemoryRetainedStore();

  private TestBroker start() {
    return TestBroker.start(FerryBroker.builder()
        .config(BrokerConfig.builder().port(0).eventLoops(2).build())
        .sessionStore(sessions)
        .retainedStore(retained));
  }

  private static MqttProperties expiry(int seconds) {
    MqttProperties props = new MqttProperties();
    props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), seconds));
    return props;
  }

  private static MqttPublishMessage publish(String topic, int qos, int packetId, boolean dup, String payload) {
    return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos), false, 0),
        new MqttPublishVariableHeader(topic, packetId, MqttProperties.NO_PROPERTIES),
        Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8));
  }

  @Test
  void sessionsMessagesAndRetainedSurviveRestart() throws Exception {
    int inflightPacketId;
    try (TestBroker first = start()) {
      try (RawClient sub = new RawClient(first.port())) {
        sub.connect(MqttVersion.MQTT_5, "durable-sub", true, 60, expiry(300));
        sub.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.EXACTLY_ONCE, "d/#").build());
        assertThat(sub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
        try (V5Client pub = V5Client.connect(first, "durable-pub")) {
          pub.client.publish("d/x", "m0".getBytes(StandardCharsets.UTF_8), 1, false);
        }
        MqttPublishMessage unacked = (MqttPublishMessage) sub.next();
        inflightPacketId = unacked.variableHeader().packetId();
        RawClient.release(unacked);
      }
      try (V5Client pub = V5Client.connect(first, "durable-pub")) {
        for (int i = 1; i <= 3; i++) {
          pub.client.publish("d/x", ("m" + i).getBytes(StandardCharsets.UTF_8), i == 2 ? 2 : 1, false);
        }
        pub.client.publish("status/d", "kept".getBytes(StandardCharsets.UTF_8), 1, true);
      }
    }

    try (TestBroker second = start();
         RawClient sub = new RawClient(second.port())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) sub.connect(MqttVersion.MQTT_5, "durable-sub", false, 60, expiry(300));
      assertThat(ack.variableHeader().isSessionPresent()).isTrue();
      MqttPublishMessage resent = (MqttPublishMessage) sub.next();
      assertThat(resent.fixedHeader().isDup()).isTrue();
      assertThat(resent.variableHeader().packetId()).isEqualTo(inflightPacketId);
      assertThat(resent.payload().toString(StandardCharsets.UTF_8)).isEqualTo("m0");
      List<String> rest = new ArrayList<>();
      rest.add("m0");
      sub.send(MqttMessageBuilders.pubAck().packetId(inflightPacketId).build());
      RawClient.release(resent);
      int completed = 0;
      while (completed < 3) {
        MqttMessage m = sub.next();
        if (m.fixedHeader().messageType() == MqttMessageType.PUBREL) {
          sub.send(reply(MqttMessageType.PUBCOMP, ((MqttMessageIdVariableHeader) m.variableHeader()).messageId()));
          completed++;
          continue;
        }
        MqttPublishMessage p = (MqttPublishMessage) m;
        rest.add(p.payload().toString(StandardCharsets.UTF_8));
        if (p.fixedHeader().qosLevel() == MqttQoS.AT_LEAST_ONCE) {
          sub.send(MqttMessageBuilders.pubAck().packetId(p.variableHeader().packetId()).build());
          completed++;
        } else {
          sub.send(reply(MqttMessageType.PUBREC, p.variableHeader().packetId()));
        }
        RawClient.release(p);
      }
      assertThat(rest).containsExactly("m0", "m1", "m2", "m3");

      // The subscription itself came back too: a new publish reaches the session.
      try (V5Client pub = V5Client.connect(second, "late-pub")) {
        pub.client.publish("d/y", "after".getBytes(StandardCharsets.UTF_8), 1, false);
      }
      MqttPublishMessage after = (MqttPublishMessage) sub.next();
      assertThat(after.payload().toString(StandardCharsets.UTF_8)).isEqualTo("after");
      RawClient.release(after);

      try (V5Client reader = V5Client.connect(second, "reader")) {
        reader.client.subscribe("status/#", 1);
        assertThat(reader.next().text()).isEqualTo("kept");
      }
    }
  }

  @Test
  void inboundQos2PacketIdSurvivesRestartSoResendIsNotRoutedTwice() throws Exception {
    try (TestBroker first = start();
         RawClient pub = new RawClient(first.port())) {
      pub.connect(MqttVersion.MQTT_5, "q2-durable-pub", true, 60, expiry(300));
      pub.send(publish("q2d/x", 2, 9, false, "once"));
      assertThat(pub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREC);
    }
    try (TestBroker second = start();
         V5Client sub = V5Client.connect(second, "q2-watch");
         RawClient pub = new RawClient(second.port())) {
      sub.client.subscribe("q2d/#", 2);
      pub.connect(MqttVersion.MQTT_5, "q2-durable-pub", false, 60, expiry(300));
      pub.send(publish("q2d/x", 2, 9, true, "once"));
      assertThat(pub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREC);
      pub.send(reply(MqttMessageType.PUBREL, 9));
      assertThat(pub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBCOMP);
      Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(sub.received::isEmpty);
    }
  }

  @Test
  void cleanStartDiscardsStoredSession() throws Exception {
    try (TestBroker first = start();
         RawClient sub = new RawClient(first.port())) {
      sub.connect(MqttVersion.MQTT_5, "discard-me", true, 60, expiry(300));
      sub.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "x/#").build());
      assertThat(sub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
    }
    try (TestBroker second = start();
         RawClient sub = new RawClient(second.port())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) sub.connect(MqttVersion.MQTT_5, "discard-me", true, 60, null);
      assertThat(ack.variableHeader().isSessionPresent()).isFalse();
    }
    assertThat(sessions.load()).extracting(s -> s.clientId()).doesNotContain("discard-me");
  }

  private static MqttMessage reply(MqttMessageType type, int packetId) {
    MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
    return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0), MqttMessageIdVariableHeader.from(packetId));
  }
}
