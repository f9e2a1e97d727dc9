package io.ferrymq.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.testing.RawClient;
import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.broker.testing.V5Client;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WillTest {

  private TestBroker broker;
  private V5Client watcher;

  @BeforeEach
  void start() throws Exception {
    broker = TestBroker.start();
    watcher = V5Client.connect(broker, "watcher");
    watcher.client.subscribe("will/#", 1);
  }

  @AfterEach
  void stop() {
    watcher.close();
    broker.close();
  }

  private static MqttConnectMessage connectWithWill(MqttVersion version, String clientId, long delaySeconds,
                                                    long expirySeconds) {
    MqttProperties willProps = new MqttProperties();
    if (delaySeconds > 0) {
      willProps.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.WILL_DELAY_INTERVAL.value(),
          (int) delaySeconds));
    }
    MqttProperties props = new MqttProperties();
    if (expirySeconds > 0) {
      props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(),
          (int) expirySeconds));
    }
    return MqttMessageBuilders.connect()
        .protocolVersion(version)
        .clientId(clientId)
        .cleanSession(true)
        .keepAlive(60)
        .willFlag(true)
        .willQoS(MqttQoS.AT_LEAST_ONCE)
        .willTopic("will/" + clientId)
        .willMessage(("gone:" + clientId).getBytes(StandardCharsets.UTF_8))
        .willProperties(willProps)
        .properties(props)
        .build();
  }

  private RawClient connected(MqttConnectMessage connect, MqttVersion version) throws Exception {
    RawClient raw = new RawClient(broker.port());
    raw.version(version);
    raw.send(connect);
    assertThat(raw.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
    return raw;
  }

  @Test
  void abnormalLossPublishesWill() throws Exception {
    RawClient raw = connected(connectWithWill(MqttVersion.MQTT_3_1_1, "dev-a", 0, 0), MqttVersion.MQTT_3_1_1);
    raw.close();
    V5Client.Received will = watcher.next();
    assertThat(will.topic()).isEqualTo("will/dev-a");
    assertThat(will.text()).isEqualTo("gone:dev-a");
  }

  @Test
  void normalDisconnectDiscardsWill() throws Exception {
    try (RawClient raw = connected(connectWithWill(MqttVersion.MQTT_3_1_1, "dev-b", 0, 0), MqttVersion.MQTT_3_1_1)) {
      raw.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0)));
      assertThat(raw.next()).isSameAs(RawClient.CLOSED);
    }
    Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(watcher.received::isEmpty);
  }

  @Test
  void disconnectWithWillMessageReasonPublishesWill() throws Exception {
    try (RawClient raw = connected(connectWithWill(MqttVersion.MQTT_5, "dev-c", 0, 0), MqttVersion.MQTT_5)) {
      raw.send(new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0),
          new MqttReasonCodeAndPropertiesVariableHeader((byte) 0x04, MqttProperties.NO_PROPERTIES)));
      assertThat(raw.next()).isSameAs(RawClient.CLOSED);
    }
    assertThat(watcher.next().topic()).isEqualTo("will/dev-c");
  }

  @Test
  void willDelayWaitsAndReconnectCancelsIt() throws Exception {
    RawClient first = connected(connectWithWill(MqttVersion.MQTT_5, "dev-d", 2, 60), MqttVersion.MQTT_5);
    first.close();
    RawClient second = new RawClient(broker.port());
    MqttMessage ack = second.connect(MqttVersion.MQTT_5, "dev-d", false, 60, sessionExpiry(60));
    assertThat(ack.fixedHeader().messageType()).isEqualTo(MqttMessageType.CONNACK);
    Awaitility.await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4)).until(watcher.received::isEmpty);
    second.close();
  }

  @Test
  void willDelayPublishesAfterInterval() throws Exception {
    RawClient raw = connected(connectWithWill(MqttVersion.MQTT_5, "dev-e", 1, 60), MqttVersion.MQTT_5);
    long closedAt = System.nanoTime();
    raw.close();
    V5Client.Received will = watcher.next();
    assertThat(will.topic()).isEqualTo("will/dev-e");
    assertThat((System.nanoTime() - closedAt) / 1_000_000).isGreaterThanOrEqualTo(900);
  }

  @Test
  void willGoesOutWhenSessionExpiresBeforeDelay() throws Exception {
    // Will Delay 60 s, Session Expiry 1 s: the will is sent when the session ends [MQTT-3.1.3-9].
    RawClient raw = connected(connectWithWill(MqttVersion.MQTT_5, "dev-f", 60, 1), MqttVersion.MQTT_5);
    raw.close();
    assertThat(watcher.next().topic()).isEqualTo("will/dev-f");
  }

  private static MqttProperties sessionExpiry(int seconds) {
    MqttProperties props = new MqttProperties();
    props.add(new MqttProperties.IntegerProperty(MqttProperties.MqttPropertyType.SESSION_EXPIRY_INTERVAL.value(), seconds));
    return props;
  }
}
