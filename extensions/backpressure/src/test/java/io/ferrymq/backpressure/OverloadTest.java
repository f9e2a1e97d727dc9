package io.ferrymq.backpressure;

import static io.ferrymq.backpressure.SlowSubscriberTest.connect;
import static io.ferrymq.backpressure.SlowSubscriberTest.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ferrymq.backpressure.testing.BackpressureBroker;
import io.ferrymq.backpressure.testing.RawClient;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A flood of QoS 1 publishes against a stalled subscriber and small overload watermarks. */
@Timeout(90)
class OverloadTest {

  private static final int PUBLISHERS = 2;
  private static final int MESSAGES_EACH = 600;
  private static final int PAYLOAD_BYTES = 32 * 1024;
  private static final long HIGH_WATERMARK = 2L << 20;
  private static final long MAX_HEAP_GROWTH = 16L << 20;

  @Test
  void floodKeepsHeapBoundedWithoutLoss() throws Exception {
    Map<String, Object> settings = Map.of(
        "overload", Map.of("high-watermark", "2MiB", "low-watermark", "1MiB", "check-interval", "5ms"),
        // Queue bounds far above the flood, so that only the watermarks hold it back.
        "queue", Map.of("max-messages", 1_000_000, "max-bytes", "1GiB"));
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    ExecutorService senders = Executors.newFixedThreadPool(PUBLISHERS);
    try (BackpressureBroker broker = BackpressureBroker.start(settings);
         RawClient sub = new RawClient(broker.port())) {
      subscribe(sub, "sink", MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES, "flood/#", MqttQoS.AT_LEAST_ONCE);
      sub.pauseReading();
      long baseline = usedHeapAfterGc(memory);

      Set<Integer> acked = ConcurrentHashMap.newKeySet();
      List<Future<Integer>> sent = new ArrayList<>();
      for (int p = 0; p < PUBLISHERS; p++) {
        int publisher = p;
        sent.add(senders.submit(() -> flood(broker.port(), publisher, acked)));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> broker.probe.overloadChanges.contains(Boolean.TRUE));
      // Reading stays paused while the subscriber does not read: the gate holds for the whole window.
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
          .until(() -> broker.probe.overloadChanges.size() == 1);
      long growth = usedHeapAfterGc(memory) - baseline;
      long flood = (long) PUBLISHERS * MESSAGES_EACH * PAYLOAD_BYTES;

      assertThat(growth).as("heap growth in bytes while %d bytes are being published", flood)
          .isLessThan(MAX_HEAP_GROWTH);
      assertThat(broker.probe.maxQueuedBytes.get()).as("queued bytes sampled at each publish")
          .isLessThanOrEqualTo(HIGH_WATERMARK + 2L * PUBLISHERS * PAYLOAD_BYTES);
      assertThat(broker.probe.overloadPauses.sum()).isPositive();

      Set<Integer> delivered = ConcurrentHashMap.newKeySet();
      sub.onPublish(publish -> delivered.add(publish.payload().readInt()));
      sub.resumeReading();
      int succeeded = 0;
      for (Future<Integer> f : sent) {
        succeeded += f.get();
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> delivered.containsAll(acked));
      assertThat(succeeded).isEqualTo(PUBLISHERS * MESSAGES_EACH);
      assertThat(delivered).containsAll(acked).hasSize(PUBLISHERS * MESSAGES_EACH);
      await().atMost(Duration.ofSeconds(5)).until(() -> broker.probe.overloadChanges.contains(Boolean.FALSE));
      await().atMost(Duration.ofSeconds(5)).until(() -> broker.probe.stats().queuedBytes() == 0);
    } finally {
      senders.shutdownNow();
    }
  }

  /** Publishes this publisher's share with up to 20 unacknowledged; returns the count of successful PUBACKs. */
  private static int flood(int port, int publisher, Set<Integer> acked) throws Exception {
    try (RawClient pub = new RawClient(port)) {
      connect(pub, "flood-" + publisher, MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES);
      int succeeded = 0;
      int outstanding = 0;
      for (int i = 0; i < MESSAGES_EACH; i++) {
        int sequence = publisher * MESSAGES_EACH + i;
        ByteBuffer payload = ByteBuffer.allocate(PAYLOAD_BYTES).putInt(sequence);
        pub.send(MqttMessageBuilders.publish().topicName("flood/" + publisher).qos(MqttQoS.AT_LEAST_ONCE)
            .messageId(i + 1).payload(Unpooled.wrappedBuffer(payload.array())).build());
        outstanding++;
        for (; outstanding >= 20; outstanding--) {
          succeeded += recordPuback(pub.next(30_000), publisher, acked);
        }
      }
      for (; outstanding > 0; outstanding--) {
        succeeded += recordPuback(pub.next(30_000), publisher, acked);
      }
      return succeeded;
    }
  }

  private static int recordPuback(MqttMessage packet, int publisher, Set<Integer> acked) {
    assertThat(packet.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBACK);
    MqttPubReplyMessageVariableHeader header = (MqttPubReplyMessageVariableHeader) packet.variableHeader();
    if ((header.reasonCode() & 0xFF) != 0) {
      return 0;
    }
    acked.add(publisher * MESSAGES_EACH + header.messageId() - 1);
    return 1;
  }

  private static long usedHeapAfterGc(MemoryMXBean memory) {
    memory.gc();
    memory.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }
}
