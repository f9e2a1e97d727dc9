package io.ferrymq.backpressure;

import static io.ferrymq.backpressure.SlowSubscriberTest.connect;
import static io.ferrymq.backpressure.SlowSubscriberTest.subscribe;

import io.ferrymq.backpressure.testing.BackpressureBroker;
import io.ferrymq.backpressure.testing.RawClient;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Well-behaved clients next to a flood and a stalled consumer, with the extension off and then on, in
 * one run. Prints one table row per mode. On demand only:
 * {@code mvn -B -q -pl extensions/backpressure -am test -Dtest=OverloadBenchmark -Dbackpressure.benchmark=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 *
 * <p>Load: 4 publishers of 100 QoS 1 messages per second each (256 bytes) and 2 subscribers of them.
 * 2 flood publishers send 4 KiB QoS 0 messages as fast as their sockets take them. One consumer
 * subscribes to everything at QoS 1 and never reads its socket. With the extension on, flood clients are
 * limited to 500 messages per second each and a full queue disconnects its subscriber.
 */
@EnabledIfSystemProperty(named = "backpressure.benchmark", matches = "true")
@Timeout(300)
class OverloadBenchmark {

  private static final int GOOD_PUBLISHERS = 4;
  private static final int GOOD_RATE = 100;
  private static final int GOOD_SUBSCRIBERS = 2;
  private static final int FLOODERS = 2;
  private static final long PHASE_NANOS = TimeUnit.SECONDS.toNanos(Long.getLong("backpressure.benchmark.seconds", 15));

  @Test
  void floodAndStalledConsumerOffAndOn() throws Exception {
    System.out.println("| extension | good PUBACKs/s (success) | good rejected | good delivered/s per subscriber "
        + "| p50 ms | p99 ms | flood publishes sent/s | heap after GC MiB |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    run("off", null);
    run("on", Map.of(
        "rate-limit-rules", List.of(Map.of("client-id", "flood-*", "messages-per-second", 500)),
        "queue", Map.of("qos1-overflow", "disconnect-subscriber")));
  }

  private static void run(String label, Map<String, Object> settings) throws Exception {
    ExecutorService threads = Executors.newCachedThreadPool();
    AtomicBoolean running = new AtomicBoolean(true);
    LongAdder goodAcked = new LongAdder();
    LongAdder goodRejected = new LongAdder();
    LongAdder goodDelivered = new LongAdder();
    LongAdder floodSent = new LongAdder();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    List<RawClient> clients = new ArrayList<>();
    try (BackpressureBroker broker = BackpressureBroker.start(settings)) {
      RawClient stalled = new RawClient(broker.port());
      clients.add(stalled);
      subscribe(stalled, "stalled", MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES, "#", MqttQoS.AT_LEAST_ONCE);
      stalled.pauseReading();
      for (int i = 0; i < GOOD_SUBSCRIBERS; i++) {
        RawClient sub = new RawClient(broker.port());
        clients.add(sub);
        subscribe(sub, "good-sub-" + i, MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES, "good/#", MqttQoS.AT_LEAST_ONCE);
        sub.onPublish(p -> {
          latencies.add(System.nanoTime() - p.payload().readLong());
          goodDelivered.increment();
        });
      }
      long start = System.nanoTime();
      for (int i = 0; i < FLOODERS; i++) {
        int id = i;
        threads.submit(() -> flood(broker.port(), id, running, floodSent));
      }
      for (int i = 0; i < GOOD_PUBLISHERS; i++) {
        int id = i;
        threads.submit(() -> publishSteadily(broker.port(), id, start, running, goodAcked, goodRejected));
      }
      LockSupport.parkNanos(PHASE_NANOS);
      running.set(false);
      double seconds = (System.nanoTime() - start) / 1e9;
      List<Long> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      long heap = usedHeapAfterGc();
      System.out.printf("| %s | %.0f | %d | %.0f | %.1f | %.1f | %.0f | %d |%n", label, goodAcked.sum() / seconds,
          goodRejected.sum(), goodDelivered.sum() / seconds / GOOD_SUBSCRIBERS, percentileMillis(sorted, 0.50),
          percentileMillis(sorted, 0.99), floodSent.sum() / seconds, heap >> 20);
    } finally {
      running.set(false);
      for (RawClient c : clients) {
        c.close();
      }
      threads.shutdownNow();
      threads.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static Void flood(int port, int id, AtomicBoolean running, LongAdder sent) throws Exception {
    try (RawClient pub = new RawClient(port)) {
      connect(pub, "flood-" + id, MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES);
      byte[] payload = new byte[4096];
      while (running.get()) {
        pub.send(MqttMessageBuilders.publish().topicName("bulk/" + id).qos(MqttQoS.AT_MOST_ONCE)
            .payload(Unpooled.wrappedBuffer(payload)).build());
        sent.increment();
      }
    }
    return null;
  }

  private static Void publishSteadily(int port, int id, long start, AtomicBoolean running, LongAdder acked,
                                      LongAdder rejected) throws Exception {
    try (RawClient pub = new RawClient(port)) {
      connect(pub, "good-pub-" + id, MqttVersion.MQTT_5, MqttProperties.NO_PROPERTIES);
      int outstanding = 0;
      for (int i = 0; running.get(); i++) {
        LockSupport.parkNanos(start + i * 1_000_000_000L / GOOD_RATE - System.nanoTime());
        ByteBuffer payload = ByteBuffer.allocate(256).putLong(System.nanoTime());
        pub.send(MqttMessageBuilders.publish().topicName("good/" + id).qos(MqttQoS.AT_LEAST_ONCE)
            .messageId(i % 65535 + 1).payload(Unpooled.wrappedBuffer(payload.array())).build());
        outstanding++;
        MqttMessage reply;
        while (outstanding > 0 && (reply = pub.poll(outstanding >= 10 ? 1000 : 0)) != null) {
          outstanding--;
          int reason = ((MqttPubReplyMessageVariableHeader) reply.variableHeader()).reasonCode() & 0xFF;
          (reason == 0 ? acked : rejected).increment();
          RawClient.release(reply);
        }
      }
    }
    return null;
  }

  private static double percentileMillis(List<Long> sortedNanos, double p) {
    if (sortedNanos.isEmpty()) {
      return Double.NaN;
    }
    return sortedNanos.get((int) Math.min(sortedNanos.size() - 1, sortedNanos.size() * p)) / 1e6;
  }

  private static long usedHeapAfterGc() {
    ManagementFactory.getMemoryMXBean().gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
