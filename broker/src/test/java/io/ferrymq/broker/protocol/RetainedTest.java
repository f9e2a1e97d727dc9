package io.ferrymq.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.broker.testing.V5Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RetainedTest {

  private TestBroker broker;
  private V5Client pub;

  @BeforeEach
  void start() throws Exception {
    broker = TestBroker.start();
    pub = V5Client.connect(broker, "retain-pub");
  }

  @AfterEach
  void stop() {
    pub.close();
    broker.close();
  }

  private void retain(String topic, String payload) throws Exception {
    pub.client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, true);
  }

  @Test
  void retainedMessageDeliveredOnSubscribeWithRetainFlag() throws Exception {
    retain("status/dev1", "online");
    try (V5Client sub = V5Client.connect(broker, "retain-sub")) {
      sub.client.subscribe("status/+", 1);
      V5Client.Received r = sub.next();
      assertThat(r.topic()).isEqualTo("status/dev1");
      assertThat(r.text()).isEqualTo("online");
      assertThat(r.message().isRetained()).isTrue();
    }
  }

  @Test
  void retainedMessagesPassFullQueueBound() throws Exception {
    try (TestBroker small = TestBroker.start(b -> b.maxInflightMessages(5).maxQueuedMessages(10));
         V5Client smallPub = V5Client.connect(small, "many-retained-pub")) {
      for (int i = 0; i < 50; i++) {
        smallPub.client.publish("fleet/dev" + i + "/status", ("up " + i).getBytes(StandardCharsets.UTF_8), 1, true);
      }

      try (V5Client dashboard = V5Client.connect(small, "dashboard")) {
        dashboard.client.subscribe("fleet/+/status", 1);

        java.util.Set<String> topics = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
          topics.add(dashboard.next().topic());
        }
        assertThat(topics).hasSize(50).contains("fleet/dev0/status", "fleet/dev49/status");
        Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
            .until(dashboard.received::isEmpty);
      }
    }
  }

  @Test
  void newRetainedMessageReplacesOld() throws Exception {
    retain("status/dev2", "first");
    retain("status/dev2", "second");
    try (V5Client sub = V5Client.connect(broker, "replace-sub")) {
      sub.client.subscribe("status/dev2", 1);
      assertThat(sub.next().text()).isEqualTo("second");
      Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(sub.received::isEmpty);
    }
  }

  @Test
  void emptyPayloadClearsRetainedMessage() throws Exception {
    retain("status/dev3", "here");
    retain("status/dev3", "");
    try (V5Client sub = V5Client.connect(broker, "clear-sub")) {
      sub.client.subscribe("status/#", 1);
      Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(sub.received::isEmpty);
    }
  }

  @Test
  void liveDeliveryClearsRetainFlagUnlessRetainAsPublished() throws Exception {
    try (V5Client plain = V5Client.connect(broker, "rap-0");
         V5Client keep = V5Client.connect(broker, "rap-1")) {
      plain.client.subscribe("live/x", 1);
      MqttSubscription kept = new MqttSubscription("live/x", 1);
      kept.setRetainAsPublished(true);
      keep.client.subscribe(new MqttSubscription[] {kept});
      retain("live/x", "now");
      assertThat(plain.next().message().isRetained()).isFalse();
      assertThat(keep.next().message().isRetained()).isTrue();
    }
  }

  @Test
  void retainHandlingControlsWhenRetainedMessagesAreSent() throws Exception {
    retain("rh/x", "kept");
    try (V5Client sub = V5Client.connect(broker, "rh-sub")) {
      MqttSubscription never = new MqttSubscription("rh/x", 1);
      never.setRetainHandling(2);
      sub.client.subscribe(new MqttSubscription[] {never});
      Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(sub.received::isEmpty);

      MqttSubscription ifNew = new MqttSubscription("rh/+", 1);
      ifNew.setRetainHandling(1);
      sub.client.subscribe(new MqttSubscription[] {ifNew});
      assertThat(sub.next().text()).isEqualTo("kept");
      sub.client.subscribe(new MqttSubscription[] {ifNew});
      Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(sub.received::isEmpty);

      MqttSubscription always = new MqttSubscription("rh/+", 1);
      always.setRetainHandling(0);
      sub.client.subscribe(new MqttSubscription[] {always});
      assertThat(sub.next().text()).isEqualTo("kept");
    }
  }

  @Test
  void expiredRetainedMessageIsNotDelivered() throws Exception {
    MqttMessage m = new MqttMessage("brief".getBytes(StandardCharsets.UTF_8));
    m.setQos(1);
    m.setRetained(true);
    MqttProperties props = new MqttProperties();
    props.setMessageExpiryInterval(1L);
    m.setProperties(props);
    pub.client.publish("expiring/x", m);
    try (V5Client early = V5Client.connect(broker, "early")) {
      early.client.subscribe("expiring/x", 1);
      V5Client.Received r = early.next();
      assertThat(r.message().getProperties().getMessageExpiryInterval()).isBetween(0L, 1L);
    }
    Awaitility.await().pollDelay(Duration.ofMillis(1100)).atMost(Duration.ofSeconds(3)).until(() -> true);
    try (V5Client late = V5Client.connect(broker, "late")) {
      late.client.subscribe("expiring/x", 1);
      Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(late.received::isEmpty);
    }
  }
}
