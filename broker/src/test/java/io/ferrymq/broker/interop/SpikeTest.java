package io.ferrymq.broker.interop;

import io.ferrymq.broker.testing.RawClient;
import io.netty.handler.codec.mqtt.MqttVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class SpikeTest {
  @Test
  void start() throws Exception {
    long t0 = System.nanoTime();
    try (HiveMqBroker h = HiveMqBroker.start()) {
      System.out.println("started in ms " + (System.nanoTime() - t0) / 1_000_000);
      try (RawClient raw = new RawClient(h.port())) {
        System.out.println("CONNACK " + raw.connect(MqttVersion.MQTT_5, "x", true, 30, null));
      }
    }
    System.out.println("total ms " + (System.nanoTime() - t0) / 1_000_000);
  }
}
