package io.ferrymq.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.testing.RawClient;
import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.broker.testing.V3Client;
import io.ferrymq.broker.testing.V5Client;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class QosFlowTest {

  private TestBroker broker;

  @BeforeEach
  void start() {
    broker = TestBroker.start();
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  @ParameterizedTest(name = "QoS {0}")
  @ValueSource(ints = {0, 1, 2})
  void thousandMessagesArriveOnceInOrderPerQos(int qos) throws Exception {
    try (V5Client sub = V5Client.connect(broker, "count-sub-" + qos);
         V5Client pub = V5Client.connect(broker, "count-pub-" + qos)) {
      sub.client.subscribe("count/" + qos, qos);
      for (int i = 0; i < 1000; i++) {
        pub.client.publish("count/" + qos, Integer.toString(i).getBytes(StandardCharsets.UTF_8), qos, false);
      }
      for (int i = 0; i < 1000; i++) {
        V5Client.Received r = sub.next();
        assertThat(r.text()).isEqualTo(Integer.toString(i));
        assertThat(r.message().getQos()).isEqualTo(qos);
      }
      Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(sub.received::isEmpty);
    }
  }

  @Test
  void deliveryQosIsMinimumOfPublishAndSubscription() throws Exception {
    try (V3Client sub = V3Client.connect(broker, "min-sub", true);
         V3Client pub = V3Client.connect(broker, "min-pub", true)) {
      sub.client.subscribe("min/#", 1);
      pub.client.publish("min/a", "two".getBytes(StandardCharsets.UTF_8), 2, false);
      pub.client.publish("min/a", "zero".getBytes(StandardCharsets.UTF_8), 0, false);
      assertThat(sub.next().message().getQos()).isEqualTo(1);
      assertThat(sub.next().message().getQos()).isEqualTo(0);
    }
  }

  @Test
  void qos2PublisherDroppedAfterPubrecResendsAndIsDeliveredOnce() throws Exception {
    try (V5Client sub = V5Client.connect(broker, "once-sub")) {
      sub.client.subscribe("once/#", 2);
      try (RawClient pub = new RawClient(broker.port())) {
        pub.connect(MqttVersion.MQTT_3_1_1, "once-pub", false, 60, null);
        pub.send(publish("once/x", 2, 7, false, "exactly-once"));
        MqttMessage pubrec = pub.next();
        assertThat(pubrec.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREC);
      }
      try (RawClient pub = new RawClient(broker.port())) {
        pub.connect(MqttVersion.MQTT_3_1_1, "once-pub", false, 60, null);
        // The client did not see the PUBREC, so it sends the PUBLISH again with DUP set.
        pub.send(publish("once/x", 2, 7, true, "exactly-once"));
        assertThat(pub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREC);
        pub.send(pubrel(7));
        MqttMessage pubcomp = pub.next();
        assertThat(pubcomp.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBCOMP);
        assertThat(((MqttMessageIdVariableHeader) pubcomp.variableHeader()).messageId()).isEqualTo(7);
        // After PUBCOMP the packet id is free: the same id now carries a new message.
        pub.send(publish("once/x", 2, 7, false, "next"));
        assertThat(pub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREC);
        pub.send(pubrel(7));
        assertThat(pub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBCOMP);
      }
      assertThat(sub.next().text()).isEqualTo("exactly-once");
      assertThat(sub.next().text()).isEqualTo("next");
      Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(sub.received::isEmpty);
    }
  }

  @Test
  void qos2SubscriberDroppedBeforePubrecGetsMessageOnceAfterReconnect() throws Exception {
    try (RawClient sub = new RawClient(broker.port())) {
      sub.connect(MqttVersion.MQTT_3_1_1, "q2-sub", false, 60, null);
      sub.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.EXACTLY_ONCE, "q2/#").build());
      assertThat(sub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
      try (V3Client pub = V3Client.connect(broker, "q2-pub", true)) {
        pub.client.publish("q2/a", "hello".getBytes(StandardCharsets.UTF_8), 2, false);
      }
      MqttPublishMessage first = (MqttPublishMessage) sub.next();
      assertThat(first.fixedHeader().qosLevel()).isEqualTo(MqttQoS.EXACTLY_ONCE);
      RawClient.release(first);
    }
    int packetId;
    try (RawClient sub = new RawClient(broker.port())) {
      sub.connect(MqttVersion.MQTT_3_1_1, "q2-sub", false, 60, null);
      MqttPublishMessage again = (MqttPublishMessage) sub.next();
      assertThat(again.fixedHeader().isDup()).isTrue();
      packetId = again.variableHeader().packetId();
      RawClient.release(again);
      sub.send(pubReply(MqttMessageType.PUBREC, packetId));
      MqttMessage pubrel = sub.next();
      assertThat(pubrel.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREL);
    }
    try (RawClient sub = new RawClient(broker.port())) {
      sub.connect(MqttVersion.MQTT_3_1_1, "q2-sub", false, 60, null);
      // The client acknowledged with PUBREC, so only the PUBREL is resent, never the PUBLISH.
      MqttMessage resent = sub.next();
      assertThat(resent.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREL);
      sub.send(pubReply(MqttMessageType.PUBCOMP, packetId));
      assertThat(sub.poll(500)).isNull();
    }
  }

  @Test
  void receiveMaximumExceededDisconnectsWith0x93() throws Exception {
    broker.close();
    broker = TestBroker.start(b -> b.receiveMaximum(2));
    try (RawClient pub = new RawClient(broker.port())) {
      pub.connect(MqttVersion.MQTT_5, "greedy", true, 60, null);
      for (int id = 1; id <= 3; id++) {
        pub.send(publish("rm/x", 2, id, false, "m" + id));
      }
      Set<MqttMessageType> seen = new HashSet<>();
      MqttMessage m;
      int disconnectReason = -1;
      while ((m = pub.next()) != RawClient.CLOSED) {
        seen.add(m.fixedHeader().messageType());
        if (m.fixedHeader().messageType() == MqttMessageType.DISCONNECT) {
          disconnectReason = ConnectTest.reasonCode(m);
        }
      }
      assertThat(seen).contains(MqttMessageType.PUBREC, MqttMessageType.DISCONNECT);
      assertThat(disconnectReason).isEqualTo(0x93);
    }
  }

  @Test
  void pubrelForUnknownPacketIdGetsPubcomp0x92() throws Exception {
    try (RawClient pub = new RawClient(broker.port())) {
      pub.connect(MqttVersion.MQTT_5, "stray-rel", true, 60, null);
      pub.send(pubrel(42));
      MqttMessage pubcomp = pub.next();
      assertThat(pubcomp.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBCOMP);
      assertThat(((MqttPubReplyMessageVariableHeader) pubcomp.variableHeader()).reasonCode()).isEqualTo((byte) 0x92);
    }
  }

  @Test
  void v5PubackSaysNoMatchingSubscribers() throws Exception {
    try (RawClient pub = new RawClient(broker.port())) {
      pub.connect(MqttVersion.MQTT_5, "lonely", true, 60, null);
      pub.send(publish("nobody/listens", 1, 3, false, "x"));
      MqttMessage puback = pub.next();
      assertThat(puback.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
      assertThat(((MqttPubReplyMessageVariableHeader) puback.variableHeader()).reasonCode()).isEqualTo((byte) 0x10);
    }
  }

  static MqttPublishMessage publish(String topic, int qos, int packetId, boolean dup, String payload) {
    return publish(topic, qos, packetId, dup, payload, MqttProperties.NO_PROPERTIES);
  }

  static MqttPublishMessage publish(String topic, int qos, int packetId, boolean dup, String payload,
                                    MqttProperties props) {
    return new MqttPublishMessage(new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos), false, 0),
        new MqttPublishVariableHeader(topic, packetId, props),
        Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8));
  }

  static MqttMessage pubrel(int packetId) {
    return new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 0),
        MqttMessageIdVariableHeader.from(packetId));
  }

  static MqttMessage pubReply(MqttMessageType type, int packetId) {
    return new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0),
        MqttMessageIdVariableHeader.from(packetId));
  }
}
