package io.ferrymq.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.testing.RawClient;
import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.broker.testing.V3Client;
import io.ferrymq.broker.testing.V5Client;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ConnectTest {

  private TestBroker broker;

  @BeforeEach
  void start() {
    broker = TestBroker.start(b -> b.maxKeepAliveSeconds(30));
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  @Test
  void v5EmptyClientIdGetsAssignedIdentifier() throws Exception {
    try (V5Client client = V5Client.connect(broker, "", o -> o.setCleanStart(false))) {
      String assigned = client.connectToken.getResponseProperties().getAssignedClientIdentifier();
      assertThat(assigned).startsWith("ferrymq-");
    }
  }

  @Test
  void v311EmptyClientIdWithCleanSessionIsAccepted() throws Exception {
    try (V3Client client = V3Client.connect(broker, "", true)) {
      assertThat(client.client.isConnected()).isTrue();
    }
  }

  @Test
  void v311EmptyClientIdWithPersistentSessionIsRejected() throws Exception {
    try (RawClient raw = new RawClient(broker.port())) {
      MqttMessage ack = raw.connect(MqttVersion.MQTT_3_1_1, "", false, 30, null);
      assertThat(((MqttConnAckMessage) ack).variableHeader().connectReturnCode())
          .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED);
      assertThat(raw.next()).isSameAs(RawClient.CLOSED);
    }
  }

  @Test
  void sessionPresentOnlyWhenResumed() throws Exception {
    try (V3Client first = V3Client.connect(broker, "present-1", false)) {
      assertThat(first.client.isConnected()).isTrue();
    }
    try (RawClient raw = new RawClient(broker.port())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) raw.connect(MqttVersion.MQTT_3_1_1, "present-1", false, 30, null);
      assertThat(ack.variableHeader().isSessionPresent()).isTrue();
    }
    try (RawClient raw = new RawClient(broker.port())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) raw.connect(MqttVersion.MQTT_3_1_1, "present-1", true, 30, null);
      assertThat(ack.variableHeader().isSessionPresent()).isFalse();
    }
  }

  @Test
  void keepAliveExpiryDisconnectsWithReason0x8D() throws Exception {
    try (RawClient raw = new RawClient(broker.port())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) raw.connect(MqttVersion.MQTT_5, "idle-1", true, 1, null);
      assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
      long start = System.nanoTime();
      MqttMessage disconnect = raw.next(5000);
      long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(disconnect.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
      assertThat(reasonCode(disconnect)).isEqualTo(0x8D);
      // ceil(1.5 × 1 s) = 2 s of silence allowed; the idle timer fires at that point, not before.
      assertThat(elapsedMillis).isGreaterThanOrEqualTo(1500);
      assertThat(raw.next()).isSameAs(RawClient.CLOSED);
    }
  }

  @Test
  void pingKeepsConnectionAlive() throws Exception {
    try (RawClient raw = new RawClient(broker.port())) {
      raw.connect(MqttVersion.MQTT_3_1_1, "pinger", true, 1, null);
      for (int i = 0; i < 4; i++) {
        raw.send(new MqttMessage(new io.netty.handler.codec.mqtt.MqttFixedHeader(MqttMessageType.PINGREQ, false,
            io.netty.handler.codec.mqtt.MqttQoS.AT_MOST_ONCE, false, 0)));
        assertThat(raw.next(2000).fixedHeader().messageType()).isEqualTo(MqttMessageType.PINGRESP);
        Thread.sleep(700); // the client's own pacing, below the 1.5 s limit; nothing waits on the broker here
      }
    }
  }

  @Test
  void serverKeepAliveCapsLongKeepAlive() throws Exception {
    try (RawClient raw = new RawClient(broker.port())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) raw.connect(MqttVersion.MQTT_5, "long-ka", true, 600, null);
      Object serverKeepAlive = ack.variableHeader().properties()
          .getProperty(MqttProperties.MqttPropertyType.SERVER_KEEP_ALIVE.value()).value();
      assertThat(serverKeepAlive).isEqualTo(30);
    }
  }

  @Test
  void connackAnnouncesBrokerLimits() throws Exception {
    try (RawClient raw = new RawClient(broker.port())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) raw.connect(MqttVersion.MQTT_5, "limits", true, 10, null);
      MqttProperties props = ack.variableHeader().properties();
      assertThat(props.getProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value()).value()).isEqualTo(1024);
      assertThat(props.getProperty(MqttProperties.MqttPropertyType.MAXIMUM_PACKET_SIZE.value()).value())
          .isEqualTo(1024 * 1024);
      assertThat(props.getProperty(MqttProperties.MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value()).value()).isEqualTo(10);
    }
  }

  @Test
  void takeoverClosesOldV5ConnectionWith0x8E() throws Exception {
    try (V5Client old = V5Client.connect(broker, "taken");
         V5Client fresh = V5Client.connect(broker, "taken")) {
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !old.disconnects.isEmpty());
      assertThat(old.disconnects.get(0).getReturnCode()).isEqualTo(0x8E);
      assertThat(fresh.client.isConnected()).isTrue();
    }
  }

  @Test
  void takeoverOfV311ClientClosesOldSocket() throws Exception {
    try (V3Client old = V3Client.connect(broker, "taken-3", false);
         V3Client fresh = V3Client.connect(broker, "taken-3", false)) {
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> old.connectionLost != null);
      assertThat(fresh.client.isConnected()).isTrue();
    }
  }

  @Test
  void unsupportedProtocolLevelGetsReturnCode1() throws Exception {
    try (RawClient raw = new RawClient(broker.port())) {
      // CONNECT with protocol name MQTT and level 7.
      raw.sendBytes(new byte[] {0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x07, 0x02, 0x00, 0x0A, 0x00, 0x01, 'x'});
      raw.version(MqttVersion.MQTT_3_1_1);
      MqttMessage ack = raw.next();
      assertThat(((MqttConnAckMessage) ack).variableHeader().connectReturnCode())
          .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
      assertThat(raw.next()).isSameAs(RawClient.CLOSED);
    }
  }

  @Test
  void enhancedAuthenticationIsRejectedWith0x8C() throws Exception {
    MqttProperties props = new MqttProperties();
    props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.AUTHENTICATION_METHOD.value(), "SCRAM-SHA-1"));
    try (RawClient raw = new RawClient(broker.port())) {
      MqttConnAckMessage ack = (MqttConnAckMessage) raw.connect(MqttVersion.MQTT_5, "scram", true, 10, props);
      assertThat(ack.variableHeader().connectReturnCode().byteValue()).isEqualTo((byte) 0x8C);
    }
  }

  @Test
  void firstPacketOtherThanConnectClosesSocket() throws Exception {
    try (RawClient raw = new RawClient(broker.port())) {
      raw.sendBytes(new byte[] {(byte) 0xC0, 0x00}); // PINGREQ
      assertThat(raw.next()).isSameAs(RawClient.CLOSED);
    }
  }

  static int reasonCode(MqttMessage disconnect) {
    return ((MqttReasonCodeAndPropertiesVariableHeader) disconnect.variableHeader()).reasonCode() & 0xFF;
  }
}
