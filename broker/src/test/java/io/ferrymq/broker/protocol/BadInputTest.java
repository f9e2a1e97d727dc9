package io.ferrymq.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.testing.RawClient;
import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.broker.testing.V5Client;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Malformed and forbidden input over raw sockets: each case must end with the reason code the spec
 * prescribes and leave a bystander's session and queued messages untouched.
 */
@Timeout(30)
class BadInputTest {

  private TestBroker broker;
  private V5Client bystander;

  @BeforeEach
  void start() throws Exception {
    broker = TestBroker.start(b -> b.maxPacketSize(1024));
    bystander = V5Client.connect(broker, "bystander");
    bystander.client.subscribe("ok/#", 1);
  }

  @AfterEach
  void stop() throws Exception {
    // Whatever the misbehaving client did, the bystander still receives.
    try (V5Client pub = V5Client.connect(broker, "after-pub")) {
      pub.client.publish("ok/check", "still served".getBytes(StandardCharsets.UTF_8), 1, false);
    }
    assertThat(bystander.next().text()).isEqualTo("still served");
    bystander.close();
    broker.close();
  }

  private RawClient connectedV5(String clientId) throws Exception {
    RawClient raw = new RawClient(broker.port());
    raw.connect(MqttVersion.MQTT_5, clientId, true, 60, null);
    return raw;
  }

  private static void assertDisconnect(RawClient raw, int reason) throws InterruptedException {
    MqttMessage m = raw.next();
    assertThat(m.fixedHeader()).as("expected DISCONNECT 0x%02X but the socket closed", reason).isNotNull();
    assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
    assertThat(ConnectTest.reasonCode(m)).isEqualTo(reason);
    assertThat(raw.next()).isSameAs(RawClient.CLOSED);
  }

  @Test
  void wildcardInPublishTopicGets0x90() throws Exception {
    try (RawClient raw = connectedV5("wild")) {
      // netty's encoder refuses such a topic, so the bytes are written by hand: PUBLISH QoS 0,
      // topic "ok/+", empty properties, payload "x".
      raw.sendBytes(new byte[] {0x30, 0x08, 0x00, 0x04, 'o', 'k', '/', '+', 0x00, 'x'});
      assertDisconnect(raw, 0x90);
    }
  }

  @Test
  void oversizedPacketGets0x95() throws Exception {
    try (RawClient raw = connectedV5("big")) {
      raw.send(QosFlowTest.publish("ok/big", 0, 0, false, "x".repeat(2000)));
      assertDisconnect(raw, 0x95);
    }
  }

  @Test
  void invalidUtf8TopicGets0x81() throws Exception {
    try (RawClient raw = connectedV5("utf")) {
      // PUBLISH QoS 0, topic length 3: 'a', then 0xC3 0x28, an invalid two-byte sequence; no properties.
      raw.sendBytes(new byte[] {0x30, 0x06, 0x00, 0x03, 'a', (byte) 0xC3, 0x28, 0x00});
      assertDisconnect(raw, 0x81);
    }
  }

  @Test
  void truncatedRemainingLengthGets0x81() throws Exception {
    try (RawClient raw = connectedV5("varint")) {
      // A remaining length with five continuation bytes is malformed.
      raw.sendBytes(new byte[] {0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01});
      assertDisconnect(raw, 0x81);
    }
  }

  @Test
  void secondConnectGets0x82() throws Exception {
    try (RawClient raw = connectedV5("twice")) {
      raw.send(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5).clientId("twice").build());
      assertDisconnect(raw, 0x82);
    }
  }

  @Test
  void qos1PublishWithPacketIdZeroIsMalformed() throws Exception {
    try (RawClient raw = connectedV5("zero-id")) {
      raw.send(QosFlowTest.publish("ok/x", 1, 0, false, "x"));
      assertDisconnect(raw, 0x81);
    }
  }

  @Test
  void clientSendingConnackGets0x82() throws Exception {
    try (RawClient raw = connectedV5("reversed")) {
      raw.sendBytes(new byte[] {0x20, 0x03, 0x00, 0x00, 0x00});
      assertDisconnect(raw, 0x82);
    }
  }

  @Test
  void sharedSubscriptionWithNoLocalIsProtocolError() throws Exception {
    try (RawClient raw = connectedV5("shared-nl")) {
      // SUBSCRIBE id 1, no properties, filter "$share/g/x" with options: QoS 1 + No Local.
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.write(new byte[] {0x00, 0x01, 0x00});
      byte[] filter = "$share/g/x".getBytes(StandardCharsets.UTF_8);
      body.write(0);
      body.write(filter.length);
      body.write(filter);
      body.write(0x05);
      byte[] b = body.toByteArray();
      byte[] packet = new byte[b.length + 2];
      packet[0] = (byte) 0x82;
      packet[1] = (byte) b.length;
      System.arraycopy(b, 0, packet, 2, b.length);
      raw.sendBytes(packet);
      assertDisconnect(raw, 0x82);
    }
  }

  @Test
  void v311ProtocolViolationClosesWithoutDisconnectPacket() throws Exception {
    try (RawClient raw = new RawClient(broker.port())) {
      raw.connect(MqttVersion.MQTT_3_1_1, "v3-bad", true, 60, null);
      raw.sendBytes(new byte[] {0x30, 0x07, 0x00, 0x04, 'o', 'k', '/', '#', 'x'});
      assertThat(raw.next()).isSameAs(RawClient.CLOSED);
    }
  }

  @Test
  void garbageBeforeConnectClosesSocket() throws Exception {
    try (RawClient raw = new RawClient(broker.port())) {
      // TLS ClientHello bytes on the plain listener.
      raw.sendBytes(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00});
      assertThat(raw.next()).isSameAs(RawClient.CLOSED);
    }
  }
}
