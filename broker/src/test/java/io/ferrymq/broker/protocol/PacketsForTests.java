package io.ferrymq.broker.protocol;

import io.netty.handler.codec.mqtt.MqttPublishMessage;

/** Packet builders of the protocol tests, for tests in other packages. */
public final class PacketsForTests {

  private PacketsForTests() {
  }

  public static MqttPublishMessage publish(String topic, int qos, int packetId, String payload) {
    return QosFlowTest.publish(topic, qos, packetId, false, payload);
  }
}
