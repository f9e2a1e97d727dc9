package io.ferrymq.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.testing.RawClient;
import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.broker.testing.V5Client;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
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

@Timeout(30)
class SharedSubscriptionTest {

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
  void eachMessageGoesToExactlyOneMember() throws Exception {
    try (V5Client a = V5Client.connect(broker, "worker-a");
         V5Client b = V5Client.connect(broker, "worker-b");
         V5Client plain = V5Client.connect(broker, "observer");
         V5Client pub = V5Client.connect(broker, "producer")) {
      a.client.subscribe("$share/workers/jobs/+", 1);
      b.client.subscribe("$share/workers/jobs/+", 1);
      plain.client.subscribe("jobs/+", 1);
      for (int i = 0; i < 100; i++) {
        pub.client.publish("jobs/j", Integer.toString(i).getBytes(StandardCharsets.UTF_8), 1, false);
      }
      Set<String> seen = new HashSet<>();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> a.received.size() + b.received.size() == 100);
      a.received.forEach(r -> assertThat(seen.add(r.text())).isTrue());
      b.received.forEach(r -> assertThat(seen.add(r.text())).as("delivered to both members: %s", r.text()).isTrue());
      assertThat(seen).hasSize(100);
      assertThat(a.received).isNotEmpty();
      assertThat(b.received).isNotEmpty();
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> plain.received.size() == 100);
    }
  }

  @Test
  void leavingMembersUnacknowledgedMessagesGoToAnotherMember() throws Exception {
    try (V5Client steady = V5Client.connect(broker, "steady");
         V5Client pub = V5Client.connect(broker, "shared-pub")) {
      steady.client.subscribe("$share/g/tasks", 1);
      RawClient leaver = new RawClient(broker.port());
      leaver.connect(MqttVersion.MQTT_5, "leaver", true, 60, null);
      leaver.send(MqttMessageBuilders.subscribe().messageId(1)
          .addSubscription(MqttQoS.AT_LEAST_ONCE, "$share/g/tasks").build());
      assertThat(leaver.next().fixedHeader().messageType()).isEqualTo(MqttMessageType.SUBACK);
      for (int i = 0; i < 20; i++) {
        pub.client.publish("tasks", ("t" + i).getBytes(StandardCharsets.UTF_8), 1, false);
      }
      Set<String> heldByLeaver = new HashSet<>();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
        MqttPublishMessage p;
        while ((p = (MqttPublishMessage) leaver.poll(10)) != null) {
          heldByLeaver.add(p.payload().toString(StandardCharsets.UTF_8));
          RawClient.release(p);
        }
        return heldByLeaver.size() + steady.received.size() == 20;
      });
      assertThat(heldByLeaver).isNotEmpty();
      leaver.close(); // never acknowledged anything
      Set<String> atSteady = new HashSet<>();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
        steady.received.forEach(r -> atSteady.add(r.text()));
        return atSteady.size() == 20;
      });
      assertThat(atSteady).containsAll(heldByLeaver);
    }
  }
}
