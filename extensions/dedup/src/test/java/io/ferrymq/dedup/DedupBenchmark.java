package io.ferrymq.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.FerryBroker;
import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.dedup.store.ShardedIdTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jol.info.GraphLayout;

/**
 * Memory per tracked id, lookups per second and the QoS 1 throughput cost of dedup. Runs only on
 * request: {@code mvn -B -q -pl extensions/dedup test -Dtest=DedupBenchmark -Ddedup.benchmark=true}.
 * Prints its figures to standard output.
 */
@EnabledIfSystemProperty(named = "dedup.benchmark", matches = "true")
class DedupBenchmark {

  private static final int IDS = 1_000_000;
  private static final long HOUR = 3_600_000;

  @TempDir
  Path dataDir;

  @Test
  void bytesPerTrackedId() throws Exception {
    long now = System.currentTimeMillis();
    long heapBefore = histogramTotalBytes();
    ShardedIdTable table = new ShardedIdTable(IDS, HOUR, now, null);
    for (int i = 0; i < IDS; i++) {
      table.recordIfAbsent(mix(i), HOUR, now);
    }
    long heapAfter = histogramTotalBytes();
    assertThat(table.size()).isEqualTo(IDS);

    System.out.printf("jcmd GC.class_histogram: heap grew by %,d bytes for %,d ids (%,d slots) = %.2f bytes per "
        + "tracked id%n", heapAfter - heapBefore, IDS, table.slots(), (double) (heapAfter - heapBefore) / IDS);
    long jolBytes = GraphLayout.parseInstance(table).totalSize();
    System.out.printf("JOL GraphLayout: the table retains %,d bytes = %.2f bytes per tracked id%n", jolBytes,
        (double) jolBytes / IDS);
  }

  @Test
  void lookupsPerSecond() {
    long now = System.currentTimeMillis();
    ShardedIdTable table = new ShardedIdTable(IDS, HOUR, now, null);
    int half = IDS / 2;
    for (int i = 0; i < half; i++) {
      table.recordIfAbsent(mix(i), HOUR, now);
    }
    for (int round = 0; round < 3; round++) {
      int lookups = 10_000_000;
      long begin = System.nanoTime();
      int duplicates = 0;
      // Each round looks up the ids that the previous round inserted, which are the newest.
      long hitBase = round == 0 ? 0 : IDS + (long) (round - 1) * half;
      for (int i = 0; i < lookups; i++) {
        if (!table.recordIfAbsent(mix(hitBase + i % half), HOUR, now + round * 1000L + 500)) {
          duplicates++;
        }
      }
      double hitSeconds = (System.nanoTime() - begin) / 1e9;
      assertThat(duplicates).isEqualTo(lookups);

      // Misses that insert, a second later: the table fills up in the first round and evicts the oldest
      // ids in later ones.
      // The longest single insert is the pause that a publisher sees while its shard sweeps.
      long insertedAt = now + (round + 1) * 1000L;
      long longestInsertNanos = 0;
      begin = System.nanoTime();
      for (int i = 0; i < half; i++) {
        long insertBegin = System.nanoTime();
        table.recordIfAbsent(mix(IDS + (long) round * half + i), HOUR, insertedAt);
        longestInsertNanos = Math.max(longestInsertNanos, System.nanoTime() - insertBegin);
      }
      double missSeconds = (System.nanoTime() - begin) / 1e9;
      System.out.printf("round %d: %,.0f duplicate lookups/s, %,.0f new-id inserts/s on one thread, longest insert "
          + "%.2f ms (%,d evictions so far, %d shards)%n", round, lookups / hitSeconds, half / missSeconds,
          longestInsertNanos / 1e6, table.evictions(), table.shards());
    }
  }

  @Test
  void qos1ThroughputWithAndWithoutDedup() throws Exception {
    int messages = 30_000;
    List<Double> off = new ArrayList<>();
    List<Double> on = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      off.add(throughput(false, messages));
      on.add(throughput(true, messages));
      System.out.printf("round %d: dedup off %,.0f msg/s, on %,.0f msg/s%n", round, off.get(round), on.get(round));
    }
    off.sort(null);
    on.sort(null);
    System.out.printf("QoS 1 median: dedup off %,.0f msg/s, on %,.0f msg/s, ratio on/off %.3f%n", off.get(1), on.get(1),
        on.get(1) / off.get(1));
  }

  /** Publishes {@code messages} QoS 1 messages with distinct ids and returns the rate the subscriber saw. */
  private double throughput(boolean dedup, int messages) throws Exception {
    BrokerConfig config = BrokerConfig.builder().host("127.0.0.1").port(0).eventLoops(2).dataDir(dataDir)
        .maxQueuedMessages(1_000_000)
        .extension("dedup", Map.of("enabled", dedup)).build();
    FerryBroker broker = FerryBroker.builder().config(config).extension(new DedupExtension()).start();
    String uri = "tcp://127.0.0.1:" + broker.port();
    MqttAsyncClient sub = new MqttAsyncClient(uri, "bench-sub", new MemoryPersistence());
    MqttAsyncClient pub = new MqttAsyncClient(uri, "bench-pub", new MemoryPersistence());
    try {
      CountDownLatch received = new CountDownLatch(messages);
      sub.setCallback(new Callback(received));
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setReceiveMaximum(1000);
      sub.connect(options).waitForCompletion();
      sub.subscribe("bench/#", 1).waitForCompletion();
      pub.connect(options).waitForCompletion();

      Semaphore window = new Semaphore(100);
      MqttActionListener release = new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          window.release();
        }

        @Override
        public void onFailure(IMqttToken token, Throwable exception) {
          window.release();
        }
      };
      byte[] payload = new byte[64];
      long begin = System.nanoTime();
      for (int i = 0; i < messages; i++) {
        window.acquire();
        MqttMessage m = new MqttMessage(payload, 1, false, null);
        MqttProperties props = new MqttProperties();
        props.setUserProperties(List.of(new UserProperty("message-id", "m-" + i)));
        m.setProperties(props);
        pub.publish("bench/meters", m, null, release);
      }
      if (!received.await(120, TimeUnit.SECONDS)) {
        throw new AssertionError("subscriber received " + (messages - received.getCount()) + " of " + messages);
      }
      return messages / ((System.nanoTime() - begin) / 1e9);
    } finally {
      pub.disconnect().waitForCompletion();
      sub.disconnect().waitForCompletion();
      pub.close();
      sub.close();
      broker.stop();
    }
  }

  /**
   * Runs {@code jcmd <this pid> GC.class_histogram}, which collects garbage first, and returns the
   * bytes of all live objects from its Total line.
   */
  private static long histogramTotalBytes() throws IOException, InterruptedException {
    long pid = ProcessHandle.current().pid();
    Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
    String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
      throw new IllegalStateException("jcmd GC.class_histogram failed: " + output);
    }
    for (String line : output.split("\n")) {
      String[] cols = line.trim().split("\\s+");
      if (cols.length == 3 && cols[0].equals("Total")) {
        return Long.parseLong(cols[2]);
      }
    }
    throw new IllegalStateException("no Total line in jcmd GC.class_histogram output: " + output);
  }

  private static long mix(long i) {
    long z = i * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    return z ^ (z >>> 27);
  }

  private record Callback(CountDownLatch received) implements MqttCallback {
    @Override
    public void messageArrived(String topic, MqttMessage message) {
      received.countDown();
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
    }
  }
}
