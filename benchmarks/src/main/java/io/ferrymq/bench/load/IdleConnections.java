package io.ferrymq.bench.load;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The idle-connections scenario: opens {@code count} MQTT 3.1.1 connections that then stay idle,
 * and measures the connect rate and what each connection costs the broker in resident memory and,
 * for a JVM broker, in heap after a full GC.
 *
 * <p>Steps: a full GC and a heap and RSS reading, the connects with at most {@link #CONCURRENT_CONNECTS}
 * waiting for CONNACK at once, a pause of {@link #SETTLE_MILLIS} for the broker to finish its
 * per-connection work, the same readings again, then DISCONNECT on every connection.
 */
final class IdleConnections {

  static final int CONCURRENT_CONNECTS = 100;
  static final long SETTLE_MILLIS = 2_000;
  private static final long CONNECT_TIMEOUT_SECONDS = 120;

  /**
   * @param heapBeforeKib heap in use after a full GC before the connects, or -1 for a native broker
   * @param heapAfterKib the same with every connection open
   */
  record Result(int requested, int connected, int failed, double connectSeconds, long rssBeforeKib,
                long rssAfterKib, long heapBeforeKib, long heapAfterKib, long peakRssKib) {

    double connectsPerSecond() {
      return connected / connectSeconds;
    }

    /** Growth of the broker's resident memory per open connection, in kibibytes. */
    double rssKibPerConnection() {
      return connected == 0 ? Double.NaN : (rssAfterKib - rssBeforeKib) / (double) connected;
    }

    /** Growth of the live heap per open connection, in kibibytes; NaN for a native broker. */
    double heapKibPerConnection() {
      return connected == 0 || heapBeforeKib < 0 ? Double.NaN : (heapAfterKib - heapBeforeKib) / (double) connected;
    }
  }

  /** Work to do while every connection is still open, such as reading the broker's heap by class. */
  @FunctionalInterface
  interface WhileOpen {
    void run() throws Exception;
  }

  private IdleConnections() {
  }

  static Result run(Vertx vertx, BrokerProcess broker, String id, int count) throws Exception {
    return run(vertx, broker, id, count, () -> { });
  }

  /** Runs the scenario and calls {@code whileOpen} after the readings, before the connections close. */
  static Result run(Vertx vertx, BrokerProcess broker, String id, int count, WhileOpen whileOpen) throws Exception {
    long heapBefore = broker.isJvm() ? Jcmd.heapUsedAfterFullGcKib(broker.pid()) : -1;
    long rssBefore = ProcessStats.currentRssKib(broker.pid());

    List<BenchClient> clients = new ArrayList<>();
    AtomicInteger failed = new AtomicInteger();
    Semaphore connecting = new Semaphore(CONCURRENT_CONNECTS);
    List<CompletableFuture<Void>> connects = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      connecting.acquire();
      BenchClient client = new BenchClient(vertx, "bench-idle-" + id + "-" + i, 1) { };
      clients.add(client);
      connects.add(client.connect(broker.port()).whenComplete((ok, error) -> {
        if (error != null) {
          failed.incrementAndGet();
        }
        connecting.release();
      }));
    }
    CompletableFuture.allOf(connects.toArray(CompletableFuture[]::new)).exceptionally(error -> null)
        .get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;

    try {
      // A fixed settle time, not a synchronisation: the broker may still allocate per-connection state after CONNACK.
      Thread.sleep(SETTLE_MILLIS);
      long heapAfter = broker.isJvm() ? Jcmd.heapUsedAfterFullGcKib(broker.pid()) : -1;
      long rssAfter = ProcessStats.currentRssKib(broker.pid());
      whileOpen.run();
      return new Result(count, count - failed.get(), failed.get(), seconds, rssBefore, rssAfter, heapBefore,
          heapAfter, ProcessStats.peakRssKib(broker.pid()));
    } finally {
      List<CompletableFuture<Void>> disconnects = clients.stream().map(BenchClient::disconnect).toList();
      CompletableFuture.allOf(disconnects.toArray(CompletableFuture[]::new)).exceptionally(error -> null)
          .get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }
}
