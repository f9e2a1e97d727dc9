package io.ferrymq.persistence;

import static io.ferrymq.persistence.StoreFixtures.delivery;

import io.ferrymq.broker.FerryBroker;
import io.ferrymq.broker.config.BrokerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures for the benchmarks page; runs only with {@code -Dbenchmark=true}:
 * {@code mvn -pl extensions/persistence test -Dtest=PersistenceBenchmark -Dbenchmark=true}.
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
@Timeout(1800)
class PersistenceBenchmark {

  private static final int PUBLISHERS = 4;
  private static final long RUN_MILLIS = 10_000;

  @TempDir
  Path dir;

  private FerryBroker broker(boolean persistent, Path data) {
    return broker(persistent ? Integer.getInteger("bench.commit-interval-ms", 1) : -1, data);
  }

  /** Starts a broker, with the extension at {@code commitIntervalMillis} unless that is negative. */
  private FerryBroker broker(int commitIntervalMillis, Path data) {
    BrokerConfig.Builder config = BrokerConfig.builder().port(0).wsPort(-1).eventLoops(2).dataDir(data);
    if (commitIntervalMillis >= 0) {
      Map<String, Object> section = new HashMap<>();
      section.put("enabled", true);
      section.put("commit-interval-ms", commitIntervalMillis);
      config.extension("persistence", section);
    }
    return FerryBroker.builder().config(config.build()).start();
  }

  /**
   * Returns QoS 1 acknowledgements per second to publishers whose messages go to one online persistent
   * session, without the extension when {@code commitIntervalMillis} is negative.
   */
  private double qos1Rate(int commitIntervalMillis) throws Exception {
    FerryBroker broker = broker(commitIntervalMillis, dir.resolve("run-" + System.nanoTime()));
    String uri = "tcp://127.0.0.1:" + broker.port();
    // The subscriber only counts: recording every message, as the tests' client does, made the
    // client's own list copies the bottleneck of earlier runs.
    MqttClient subscriber = new MqttClient(uri, "bench-sub", new MemoryPersistence());
    AtomicLong received = new AtomicLong();
    try {
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(true);
      options.setSessionExpiryInterval(3600L);
      subscriber.connect(options);
      subscriber.subscribe(new MqttSubscription[] {new MqttSubscription("bench/#", 1)},
          new IMqttMessageListener[] {(topic, message) -> received.incrementAndGet()});
      List<WindowedPublisher> publishers = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < PUBLISHERS; i++) {
        WindowedPublisher p = new WindowedPublisher("bench/" + i, 1, "bench-pub-" + i);
        p.uri = uri;
        publishers.add(p);
        Thread t = new Thread(p, "bench-pub-" + i);
        threads.add(t);
      }
      threads.forEach(Thread::start);
      // Warm up for two seconds, then count.
      Thread.sleep(2000);
      long before = acknowledged(publishers);
      long begin = System.nanoTime();
      Thread.sleep(RUN_MILLIS);
      long after = acknowledged(publishers);
      double seconds = (System.nanoTime() - begin) / 1e9;
      publishers.forEach(p -> p.stop.set(true));
      for (Thread t : threads) {
        t.join(10_000);
      }
      if (received.get() == 0) {
        throw new AssertionError("the subscriber received nothing");
      }
      return (after - before) / seconds;
    } finally {
      subscriber.disconnectForcibly(0, 1000, false);
      subscriber.close(true);
      broker.stop();
    }
  }

  private static long acknowledged(List<WindowedPublisher> publishers) {
    return publishers.stream().mapToLong(p -> p.acknowledged.size()).sum();
  }

  /**
   * Runs a warm-up, then {@code bench.rounds} rounds (default 3). Each round measures in-memory,
   * then persistent at each commit interval of {@code bench.commit-intervals} (default 1). Each
   * persistent rate is divided by the in-memory rate of its round, so that load from outside the run
   * moves both alike.
   */
  @Test
  void persistentQos1AgainstInMemory() throws Exception {
    List<Integer> intervals = java.util.Arrays.stream(System.getProperty("bench.commit-intervals", "1").split(","))
        .map(String::trim).map(Integer::valueOf).toList();
    int rounds = Integer.getInteger("bench.rounds", 3);
    Map<Integer, List<Double>> ratios = new java.util.TreeMap<>();
    // The first run of a JVM is slow until the JIT compiler has caught up; it is not counted.
    System.out.printf("BENCH qos1 warm-up in-memory=%.0f/s%n", qos1Rate(-1));
    for (int round = 1; round <= rounds; round++) {
      double memory = qos1Rate(-1);
      for (int interval : intervals) {
        double persistent = qos1Rate(interval);
        ratios.computeIfAbsent(interval, i -> new ArrayList<>()).add(persistent / memory);
        System.out.printf("BENCH qos1 round=%d publishers=%d window=%d commit-interval-ms=%d in-memory=%.0f/s "
            + "persistent=%.0f/s ratio=%.2f%n", round, PUBLISHERS, WindowedPublisher.WINDOW, interval, memory,
            persistent, persistent / memory);
      }
    }
    ratios.forEach((interval, list) -> System.out.printf("BENCH qos1 commit-interval-ms=%d median-ratio=%.2f of %s%n",
        interval, list.stream().sorted().toList().get(list.size() / 2), list));
  }

  @Test
  void recoveryOfOneMillionQueuedMessages() throws Exception {
    int count = Integer.getInteger("bench.messages", 1_000_000);
    Path data = dir.resolve("data");
    Path store = data.resolve("persistence");
    PersistenceConfig config = PersistenceConfig.defaults();
    String payload = "x".repeat(64);
    long begin = System.nanoTime();
    try (DurableStore durable = DurableStore.open(store, config)) {
      DurableSessionStore sessions = new DurableSessionStore(durable, config);
      for (int s = 0; s < 10; s++) {
        sessions.saveSession("offline-" + s, 86_400);
      }
      CompletableFuture<Void> last = null;
      for (int i = 1; i <= count; i++) {
        last = sessions.enqueue("offline-" + (i % 10), i, delivery(i, payload, 1)).toCompletableFuture();
        if (i % 50_000 == 0) {
          last.get(60, TimeUnit.SECONDS);
        }
      }
      last.get(120, TimeUnit.SECONDS);
      double enqueueSeconds = (System.nanoTime() - begin) / 1e9;
      long journalBytes = StoreFixtures.folderBytes(store);
      StoreFixtures.copyFolder(store, dir.resolve("journal-only"));
      System.out.printf("BENCH enqueue messages=%d payload=64B in %.1f s (%.0f/s) journal+checkpoint bytes=%d "
          + "(%.0f B/message)%n", count, enqueueSeconds, count / enqueueSeconds, journalBytes,
          (double) journalBytes / count);
    }
    long checkpointBytes = StoreFixtures.folderBytes(store);
    System.out.printf("BENCH checkpoint after close bytes=%d (%.0f B/message)%n", checkpointBytes,
        (double) checkpointBytes / count);

    long openBegin = System.nanoTime();
    try (DurableStore durable = DurableStore.open(store, config)) {
      long millis = (System.nanoTime() - openBegin) / 1_000_000;
      long restored = new DurableSessionStore(durable, config).load().stream().mapToLong(s -> s.deliveries().size())
          .sum();
      System.out.printf("BENCH store recovery from checkpoint messages=%d in %d ms%n", restored, millis);
    }
    Files.deleteIfExists(dir.resolve("journal-only").resolve("store.lock"));
    long journalBegin = System.nanoTime();
    try (DurableStore durable = DurableStore.open(dir.resolve("journal-only"), config)) {
      long millis = (System.nanoTime() - journalBegin) / 1_000_000;
      long restored = new DurableSessionStore(durable, config).load().stream().mapToLong(s -> s.deliveries().size())
          .sum();
      System.out.printf("BENCH store recovery from checkpoint plus journal as left by a crash messages=%d in %d ms%n",
          restored, millis);
    }

    long brokerBegin = System.nanoTime();
    FerryBroker broker = broker(true, data);
    System.out.printf("BENCH broker start with the store messages=%d in %d ms%n", count,
        (System.nanoTime() - brokerBegin) / 1_000_000);
    broker.stop();
  }
}
