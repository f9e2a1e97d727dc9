package io.ferrymq.metrics;

import io.ferrymq.spi.Message;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Estimates the CPU time the metrics observer adds to one message: one publish in plus one delivery
 * out, the path every message takes, on one thread and on two threads at once as on two event loops.
 *
 * <p>It counts the thread's CPU time rather than wall-clock time, so that other processes on a shared
 * machine do not inflate the result. Each round runs 5 million messages. The first rounds warm up the
 * JIT, and the report gives the lowest and the median per-message time of the later ones.
 *
 * <p>Opt-in: {@code mvn -B -q -pl extensions/metrics test -Dtest=ObserverCostBenchmark -Dmetrics.overhead=true}.
 */
@EnabledIfSystemProperty(named = "metrics.overhead", matches = "true")
class ObserverCostBenchmark {

  private static final int MESSAGES_PER_ROUND = 5_000_000;
  private static final int WARMUP_ROUNDS = 3;
  private static final int MEASURED_ROUNDS = 5;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void observerCpuTimePerMessage() throws Exception {
    BrokerMetrics metrics = new BrokerMetrics(new PrometheusRegistry());

    List<Double> oneThread = measure(metrics, 1);
    List<Double> twoThreads = measure(metrics, 2);

    System.out.printf(Locale.ROOT, "observer CPU time per message (publish in + delivery out, QoS 1, 64 bytes):%n"
            + "  1 thread:  min %.1f ns, median %.1f ns%n  2 threads: min %.1f ns, median %.1f ns per thread%n",
        oneThread.get(0), oneThread.get(oneThread.size() / 2), twoThreads.get(0), twoThreads.get(twoThreads.size() / 2));
  }

  /** Returns the sorted per-message CPU times of the measured rounds, in nanoseconds, over all threads. */
  private static List<Double> measure(BrokerMetrics metrics, int threads) throws InterruptedException {
    List<Double> perMessage = new ArrayList<>();
    for (int round = 0; round < WARMUP_ROUNDS + MEASURED_ROUNDS; round++) {
      double[] nanos = new double[threads];
      Thread[] workers = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        int index = t;
        workers[t] = new Thread(() -> nanos[index] = cpuNanosPerMessage(metrics));
        workers[t].start();
      }
      for (Thread w : workers) {
        w.join();
      }
      if (round >= WARMUP_ROUNDS) {
        for (double n : nanos) {
          perMessage.add(n);
        }
      }
    }
    perMessage.sort(null);
    return perMessage;
  }

  private static double cpuNanosPerMessage(BrokerMetrics metrics) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Message message = Message.builder("fleet/g1/device-7/telemetry").qos(1).publisherId("device-7")
        .payload(new byte[64]).build();
    long begin = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < MESSAGES_PER_ROUND; i++) {
      metrics.onPublishIn(message);
      metrics.onPublishOut(message, 1);
    }
    return (threads.getCurrentThreadCpuTime() - begin) / (double) MESSAGES_PER_ROUND;
  }
}
