package io.ferrymq.broker.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.testing.RawClient;
import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.broker.testing.V3Client;
import io.ferrymq.broker.testing.V5Client;
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
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SessionTest {

  private TestBroker broker;

  @BeforeEach
  void start() {
    broker = TestBroker.start();
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  @Test
  void persistentV311SessionQueuesQos1And2WhileOffline() throws Exception {
    try (V3Client sub = V3Client.connect(broker, "offline-sub", false)) {
      sub.client.subscribe("cmd/#", 2);
    }
    try (V3Client pub = V3Client.connect(broker, "offline-pub", true)) {
      for (int i = 0; i < 10; i++) {
        pub.client.publish("cmd/x", ("m" + i).getBytes(StandardCharsets.UTF_8), i % 2 + 1, false);
      }
      pub.client.publish("cmd/x", "qos0-dropped".getBytes(StandardCharsets.UTF_8), 0, false);
    }
    try (V3Client sub = V3Client.connect(broker, "offline-sub", false)) {
      List<String> qos1 = new ArrayList<>();
      List<String> qos2 = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        V3Client.Received r = sub.next();
        (r.message().getQos() == 1 ? qos1 : qos2).add(r.text());
      }
      // Order is promised per QoS level: Paho hands a QoS 2 message over only after PUBREL, so the
      // two streams interleave differently on the client than on the wire.
      assertThat(qos1).containsExactly("m0", "m2", "m4", "m6", "m8");
      assertThat(qos2).containsExactly("m1", "m3", "m5", "m7", "m9");
      Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
          .until(() -> sub.received.isEmpty());
    }
  }

  @Test
  void cleanSessionDiscardsQueuedMessagesAndSubscriptions() throws Exception {
    try (V3Client sub = V3Client.connect(broker, "clean-sub", false)) {
      sub.client.subscribe("c/#", 1);
    }
    try (V3Client pub = V3Client.connect(broker, "clean-pub", true)) {
      pub.client.publish("c/1", "queued".getBytes(StandardCharsets.UTF_8), 1, false);
    }
    try (V3Client sub = V3Client.connect(broker, "clean-sub", true)) {
      try (V3Client pub = V3Client.connect(broker, "clean-pub", true)) {
        pub.client.publish("c/1", "after".getBytes(StandardCharsets.UTF_8), 1, false);
      }
      Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
          .until(() -> sub.received.isEmpty());
    }
  }

  @Test
  void v5SessionExpiresAfterItsInterval() throws Exception {
    try (V5Client sub = V5Client.connect(broker, "expiring", o -> {
      o.setCleanStart(false);
      o.setSessionExpiryInterval(1L);
    })) {
      sub.client.subscribe("e/#", 1);
    }
    Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> broker.broker().config() != null && sessionCount("expiring") == 0);
    try (RawClient raw = new RawClient(broker.port())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) raw.connect(MqttVersion.MQTT_5, "expiring", false, 10, null);
      assertThat(ack.variableHeader().isSessionPresent()).isFalse();
    }
  }

  @Test
  void v5SessionSurvivesWithinItsInterval() throws Exception {
    try (V5Client sub = V5Client.connect(broker, "lasting", o -> {
      o.setCleanStart(false);
      o.setSessionExpiryInterval(60L);
    })) {
      sub.client.subscribe("l/#", 1);
    }
    try (RawClient raw = new RawClient(broker.port())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) raw.connect(MqttVersion.MQTT_5, "lasting", false, 10, null);
      assertThat(ack.variableHeader().isSessionPresent()).isTrue();
    }
  }

  @Test
  void unacknowledgedMessagesResentWithDupInOriginalOrder() throws Exception {
    List<Integer> firstIds = new ArrayList<>();
    try (RawClient raw = new RawClient(broker.port())) {
      raw.connect(MqttVersion.MQTT_3_1_1, "no-acks", false, 60, null);
      raw.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "r/#").build());
      assertThat(raw.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
      try (V3Client pub = V3Client.connect(broker, "resend-pub", true)) {
        for (int i = 0; i < 5; i++) {
          pub.client.publish("r/x", ("p" + i).getBytes(StandardCharsets.UTF_8), 1, false);
        }
      }
      for (int i = 0; i < 5; i++) {
        MqttPublishMessage p = (MqttPublishMessage) raw.next();
        assertThat(p.fixedHeader().isDup()).isFalse();
        firstIds.add(p.variableHeader().packetId());
        RawClient.release(p);
      }
    }
    try (RawClient raw = new RawClient(broker.port())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) raw.connect(MqttVersion.MQTT_3_1_1, "no-acks", false, 60, null);
      assertThat(ack.variableHeader().isSessionPresent()).isTrue();
      List<Integer> resentIds = new ArrayList<>();
      List<String> payloads = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        MqttPublishMessage p = (MqttPublishMessage) raw.next();
        assertThat(p.fixedHeader().isDup()).isTrue();
        resentIds.add(p.variableHeader().packetId());
        payloads.add(p.payload().toString(StandardCharsets.UTF_8));
        raw.send(MqttMessageBuilders.pubAck().packetId(p.variableHeader().packetId()).build());
        RawClient.release(p);
      }
      assertThat(resentIds).isEqualTo(firstIds);
      assertThat(payloads).containsExactly("p0", "p1", "p2", "p3", "p4");
    }
    try (RawClient raw = new RawClient(broker.port())) {
      raw.connect(MqttVersion.MQTT_3_1_1, "no-acks", false, 60, null);
      assertThat(raw.poll(500)).as("acknowledged messages are not sent again").isNull();
    }
  }

  @Test
  void outboundInflightRespectsClientReceiveMaximum() throws Exception {
    MqttProperties props = new MqttProperties();
    props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(), 2));
    try (RawClient raw = new RawClient(broker.port())) {
      raw.connect(MqttVersion.MQTT_5, "small-window", true, 60, props);
      raw.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "w/#").build());
      assertThat(raw.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
      try (V5Client pub = V5Client.connect(broker, "window-pub")) {
        for (int i = 0; i < 5; i++) {
          pub.client.publish("w/x", ("w" + i).getBytes(StandardCharsets.UTF_8), 1, false);
        }
      }
      MqttPublishMessage first = (MqttPublishMessage) raw.next();
      MqttPublishMessage second = (MqttPublishMessage) raw.next();
      assertThat(raw.poll(500)).as("a third PUBLISH before any PUBACK would exceed Receive Maximum 2").isNull();
      raw.send(MqttMessageBuilders.pubAck().packetId(first.variableHeader().packetId()).build());
      MqttPublishMessage third = (MqttPublishMessage) raw.next();
      assertThat(third.payload().toString(StandardCharsets.UTF_8)).isEqualTo("w2");
      assertThat(second.payload().toString(StandardCharsets.UTF_8)).isEqualTo("w1");
      RawClient.release(first);
      RawClient.release(second);
      RawClient.release(third);
    }
  }

  @Test
  void fullQueueRefusesQos1WithQuotaExceeded() throws Exception {
    broker.close();
    broker = TestBroker.start(b -> b.maxQueuedMessages(3));
    try (V3Client sub = V3Client.connect(broker, "bounded", false)) {
      sub.client.subscribe("b/#", 1);
    }
    try (RawClient pub = new RawClient(broker.port())) {
      pub.connect(MqttVersion.MQTT_5, "bounded-pub", true, 60, null);
      List<Integer> reasons = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        pub.send(io.ferrymq.broker.protocol.PacketsForTests.publish("b/x", 1, i + 1, "b" + i));
        MqttMessage ack = pub.next();
        reasons.add(((io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader) ack.variableHeader()).reasonCode() & 0xFF);
      }
      // The fourth and fifth find the offline session's queue full: the publisher must not believe them delivered.
      assertThat(reasons).containsExactly(0x00, 0x00, 0x00, 0x97, 0x97);
    }
    try (V3Client sub = V3Client.connect(broker, "bounded", false)) {
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        got.add(sub.next().text());
      }
      assertThat(got).containsExactly("b0", "b1", "b2");
      Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
          .until(() -> sub.received.isEmpty());
    }
  }

  @Test
  void fullQueueDisconnectsV311PublisherSoItResends() throws Exception {
    broker.close();
    broker = TestBroker.start(b -> b.maxQueuedMessages(1));
    try (V3Client sub = V3Client.connect(broker, "bounded-3", false)) {
      sub.client.subscribe("c/#", 1);
    }
    try (RawClient pub = new RawClient(broker.port())) {
      pub.connect(MqttVersion.MQTT_3_1_1, "bounded-pub-3", true, 60, null);
      pub.send(io.ferrymq.broker.protocol.PacketsForTests.publish("c/x", 1, 1, "fits"));
      assertThat(pub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
      pub.send(io.ferrymq.broker.protocol.PacketsForTests.publish("c/x", 1, 2, "overflows"));
      assertThat(pub.next()).isSameAs(RawClient.CLOSED);
    }
  }

  private int sessionCount(String clientId) {
    return io.ferrymq.broker.BrokerAccess.sessions(broker.broker()).get(clientId) == null ? 0 : 1;
  }

}
