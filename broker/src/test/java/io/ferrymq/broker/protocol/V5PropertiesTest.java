package io.ferrymq.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.testing.RawClient;
import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.broker.testing.V5Client;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class V5PropertiesTest {

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
  void requestResponsePropertiesForwardedUnchanged() throws Exception {
    try (V5Client sub = V5Client.connect(broker, "props-sub");
         V5Client pub = V5Client.connect(broker, "props-pub")) {
      sub.client.subscribe("req/#", 1);
      org.eclipse.paho.mqttv5.common.MqttMessage m = new org.eclipse.paho.mqttv5.common.MqttMessage(
          "{\"on\":true}".getBytes(StandardCharsets.UTF_8));
      m.setQos(1);
      org.eclipse.paho.mqttv5.common.packet.MqttProperties props = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
      props.setContentType("application/json");
      props.setResponseTopic("resp/dev1");
      props.setCorrelationData(new byte[] {1, 2, 3});
      props.setUserProperties(List.of(new UserProperty("trace", "abc"), new UserProperty("trace", "def")));
      props.setPayloadFormat(true);
      m.setProperties(props);
      pub.client.publish("req/dev1", m);
      org.eclipse.paho.mqttv5.common.packet.MqttProperties got = sub.next().message().getProperties();
      assertThat(got.getContentType()).isEqualTo("application/json");
      assertThat(got.getResponseTopic()).isEqualTo("resp/dev1");
      assertThat(got.getCorrelationData()).containsExactly(1, 2, 3);
      assertThat(got.getUserProperties()).extracting(UserProperty::getKey, UserProperty::getValue)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("trace", "abc"), org.assertj.core.groups.Tuple.tuple("trace", "def"));
      assertThat(got.getPayloadFormat()).isTrue();
    }
  }

  @Test
  void messageExpiryIsCountedDownWhileQueued() throws Exception {
    try (V5Client sub = V5Client.connect(broker, "exp-sub", o -> {
      o.setCleanStart(false);
      o.setSessionExpiryInterval(60L);
    })) {
      sub.client.subscribe("exp/#", 1);
    }
    try (V5Client pub = V5Client.connect(broker, "exp-pub")) {
      org.eclipse.paho.mqttv5.common.MqttMessage m = new org.eclipse.paho.mqttv5.common.MqttMessage("t".getBytes());
      m.setQos(1);
      org.eclipse.paho.mqttv5.common.packet.MqttProperties props = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
      props.setMessageExpiryInterval(30L);
      m.setProperties(props);
      pub.client.publish("exp/a", m);
      org.eclipse.paho.mqttv5.common.MqttMessage gone = new org.eclipse.paho.mqttv5.common.MqttMessage("g".getBytes());
      gone.setQos(1);
      org.eclipse.paho.mqttv5.common.packet.MqttProperties short1 = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
      short1.setMessageExpiryInterval(1L);
      gone.setProperties(short1);
      pub.client.publish("exp/b", gone);
    }
    Awaitility.await().pollDelay(Duration.ofMillis(2100)).atMost(Duration.ofSeconds(4)).until(() -> true);
    try (V5Client sub = V5Client.connect(broker, "exp-sub", o -> {
      o.setCleanStart(false);
      o.setSessionExpiryInterval(60L);
    })) {
      V5Client.Received r = sub.next();
      assertThat(r.topic()).isEqualTo("exp/a");
      assertThat(r.message().getProperties().getMessageExpiryInterval()).isBetween(26L, 28L);
      Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(sub.received::isEmpty);
    }
  }

  @Test
  void inboundTopicAliasResolves() throws Exception {
    try (V5Client sub = V5Client.connect(broker, "alias-sub");
         RawClient pub = new RawClient(broker.port())) {
      sub.client.subscribe("alias/#", 1);
      pub.connect(MqttVersion.MQTT_5, "alias-pub", true, 60, null);
      pub.send(QosFlowTest.publish("alias/long/topic", 1, 1, false, "one", alias(3)));
      pub.send(QosFlowTest.publish("", 1, 2, false, "two", alias(3)));
      assertThat(pub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
      assertThat(pub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
      assertThat(sub.next().topic()).isEqualTo("alias/long/topic");
      V5Client.Received second = sub.next();
      assertThat(second.topic()).isEqualTo("alias/long/topic");
      assertThat(second.text()).isEqualTo("two");
    }
  }

  @Test
  void topicAliasAboveMaximumDisconnectsWith0x94() throws Exception {
    try (RawClient pub = new RawClient(broker.port())) {
      pub.connect(MqttVersion.MQTT_5, "alias-bad", true, 60, null);
      pub.send(QosFlowTest.publish("a/b", 0, 0, false, "x", alias(11)));
      MqttMessage disconnect = pub.next();
      assertThat(disconnect.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
      assertThat(ConnectTest.reasonCode(disconnect)).isEqualTo(0x94);
    }
  }

  @Test
  void unknownAliasWithEmptyTopicIsProtocolError() throws Exception {
    try (RawClient pub = new RawClient(broker.port())) {
      pub.connect(MqttVersion.MQTT_5, "alias-unknown", true, 60, null);
      pub.send(QosFlowTest.publish("", 0, 0, false, "x", alias(2)));
      MqttMessage disconnect = pub.next();
      assertThat(ConnectTest.reasonCode(disconnect)).isEqualTo(0x82);
    }
  }

  @Test
  void packetsOverClientMaximumSizeAreNotSent() throws Exception {
    MqttProperties props = new MqttProperties();
    props.add(new MqttProperties.IntegerProperty(MqttPropertyType.MAXIMUM_PACKET_SIZE.value(), 64));
    try (RawClient sub = new RawClient(broker.port());
         V5Client pub = V5Client.connect(broker, "size-pub")) {
      sub.connect(MqttVersion.MQTT_5, "size-sub", true, 60, props);
      sub.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "size/#").build());
      assertThat(sub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
      pub.client.publish("size/x", new byte[200], 1, false);
      pub.client.publish("size/x", "small".getBytes(StandardCharsets.UTF_8), 1, false);
      MqttPublishMessage only = (MqttPublishMessage) sub.next();
      assertThat(only.payload().toString(StandardCharsets.UTF_8)).isEqualTo("small");
      RawClient.release(only);
    }
  }

  @Test
  void invalidUtf8PayloadWithFormatIndicatorGetsPuback0x99() throws Exception {
    MqttProperties props = new MqttProperties();
    props.add(new MqttProperties.IntegerProperty(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR.value(), 1));
    try (RawClient pub = new RawClient(broker.port())) {
      pub.connect(MqttVersion.MQTT_5, "bad-utf8", true, 60, null);
      MqttPublishMessage p = new MqttPublishMessage(
          new io.netty.handler.codec.mqtt.MqttFixedHeader(MqttMessageType.PUBLISH, false, MqttQoS.AT_LEAST_ONCE, false, 0),
          new io.netty.handler.codec.mqtt.MqttPublishVariableHeader("utf/x", 5, props),
          io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {(byte) 0xC3, (byte) 0x28}));
      pub.send(p);
      MqttMessage puback = pub.next();
      assertThat(puback.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
      assertThat(((MqttPubReplyMessageVariableHeader) puback.variableHeader()).reasonCode()).isEqualTo((byte) 0x99);
    }
  }

  @Test
  void overlappingSubscriptionsGiveOneDeliveryWithEveryIdentifier() throws Exception {
    try (RawClient sub = new RawClient(broker.port());
         V5Client pub = V5Client.connect(broker, "overlap-pub")) {
      sub.connect(MqttVersion.MQTT_5, "overlap-sub", true, 60, null);
      sub.send(MqttMessageBuilders.subscribe().messageId(1).properties(subscriptionId(11))
          .addSubscription(MqttQoS.AT_LEAST_ONCE, "ov/#").build());
      sub.send(MqttMessageBuilders.subscribe().messageId(2).properties(subscriptionId(22))
          .addSubscription(MqttQoS.EXACTLY_ONCE, "ov/+").build());
      assertThat(sub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
      assertThat(sub.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
      pub.client.publish("ov/a", "once".getBytes(StandardCharsets.UTF_8), 2, false);
      MqttPublishMessage delivery = (MqttPublishMessage) sub.next();
      assertThat(delivery.fixedHeader().qosLevel()).isEqualTo(MqttQoS.EXACTLY_ONCE);
      assertThat(delivery.variableHeader().properties().getProperties(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value()))
          .extracting(p -> (Integer) p.value()).containsExactlyInAnyOrder(11, 22);
      RawClient.release(delivery);
      assertThat(sub.poll(300)).as("one delivery, not one per subscription").isNull();
    }
  }

  private static MqttProperties subscriptionId(int id) {
    MqttProperties props = new MqttProperties();
    props.add(new MqttProperties.IntegerProperty(MqttPropertyType.SUBSCRIPTION_IDENTIFIER.value(), id));
    return props;
  }

  @Test
  void noLocalSkipsOwnPublishes() throws Exception {
    try (V5Client self = V5Client.connect(broker, "self")) {
      MqttSubscription s = new MqttSubscription("nl/#", 1);
      s.setNoLocal(true);
      self.client.subscribe(new MqttSubscription[] {s});
      self.client.publish("nl/a", "mine".getBytes(StandardCharsets.UTF_8), 1, false);
      try (V5Client other = V5Client.connect(broker, "other")) {
        other.client.publish("nl/a", "theirs".getBytes(StandardCharsets.UTF_8), 1, false);
      }
      assertThat(self.next().text()).isEqualTo("theirs");
      Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(self.received::isEmpty);
    }
  }

  @Test
  void unsubscribeReportsMissingSubscription() throws Exception {
    try (RawClient raw = new RawClient(broker.port())) {
      raw.connect(MqttVersion.MQTT_5, "unsub", true, 60, null);
      raw.send(MqttMessageBuilders.subscribe().messageId(1).addSubscription(MqttQoS.AT_LEAST_ONCE, "u/a").build());
      assertThat(raw.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
      raw.send(MqttMessageBuilders.unsubscribe().messageId(2).addTopicFilter("u/a").addTopicFilter("u/none").build());
      io.netty.handler.codec.mqtt.MqttUnsubAckMessage ack = (io.netty.handler.codec.mqtt.MqttUnsubAckMessage) raw.next();
      assertThat(ack.payload().unsubscribeReasonCodes()).containsExactly((short) 0x00, (short) 0x11);
    }
  }

  @Test
  void invalidFilterGetsSuback0x8F() throws Exception {
    try (RawClient raw = new RawClient(broker.port())) {
      raw.connect(MqttVersion.MQTT_5, "badfilter", true, 60, null);
      raw.send(MqttMessageBuilders.subscribe().messageId(1)
          .addSubscription(MqttQoS.AT_LEAST_ONCE, "a/#/b")
          .addSubscription(MqttQoS.EXACTLY_ONCE, "ok/+").build());
      io.netty.handler.codec.mqtt.MqttSubAckMessage ack = (io.netty.handler.codec.mqtt.MqttSubAckMessage) raw.next();
      assertThat(ack.payload().reasonCodes()).containsExactly(0x8F, 2);
    }
  }

  @Test
  void responseInformationWhenRequested() throws Exception {
    MqttProperties props = new MqttProperties();
    props.add(new MqttProperties.IntegerProperty(MqttPropertyType.REQUEST_RESPONSE_INFORMATION.value(), 1));
    try (RawClient raw = new RawClient(broker.port())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) raw.connect(MqttVersion.MQTT_5, "rr", true, 60, props);
      assertThat(ack.variableHeader().properties().getProperty(MqttPropertyType.RESPONSE_INFORMATION.value()).value())
          .isEqualTo("response/rr");
    }
  }

  @Test
  void clientPublishToSysTopicIsRejectedWith0x87() throws Exception {
    try (RawClient pub = new RawClient(broker.port())) {
      pub.connect(MqttVersion.MQTT_5, "forger", true, 60, null);
      pub.send(QosFlowTest.publish("$SYS/broker/clients/connected", 1, 4, false, "9999"));
      MqttMessage puback = pub.next();
      assertThat(puback.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
      assertThat(((MqttPubReplyMessageVariableHeader) puback.variableHeader()).reasonCode()).isEqualTo((byte) 0x87);
    }
  }

  private static MqttProperties alias(int value) {
    MqttProperties props = new MqttProperties();
    props.add(new MqttProperties.IntegerProperty(MqttPropertyType.TOPIC_ALIAS.value(), value));
    return props;
  }
}
