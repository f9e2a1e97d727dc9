package io.ferrymq.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.broker.testing.V5Client;
import java.nio.charset.StandardCharsets;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WebSocketTest {

  @Test
  void browserStyleClientOverWebSocketReceivesTcpPublish() throws Exception {
    try (TestBroker broker = TestBroker.start(b -> b.wsPort(0))) {
      assertThat(broker.wsPort()).isPositive();
      V5Client ws = new V5Client("ws://127.0.0.1:" + broker.wsPort() + "/mqtt", "dashboard");
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(true);
      ws.client.connect(options);
      try (ws; V5Client tcp = V5Client.connect(broker, "device")) {
        ws.client.subscribe("telemetry/#", 1);
        tcp.client.publish("telemetry/t1", "21.5".getBytes(StandardCharsets.UTF_8), 1, false);
        V5Client.Received r = ws.next();
        assertThat(r.topic()).isEqualTo("telemetry/t1");
        assertThat(r.text()).isEqualTo("21.5");
        ws.client.publish("commands/device", "reboot".getBytes(StandardCharsets.UTF_8), 1, false);
      }
    }
  }
}
