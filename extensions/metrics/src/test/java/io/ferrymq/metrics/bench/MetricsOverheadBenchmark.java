package io.ferrymq.metrics.bench;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures what the metrics extension costs, side by side. Two broker JVMs take the same fan-in load at
 * the same time: one with the extension off, one with it on and scraped every second (five times as
 * often as grafana/prometheus.yml does). Running both at once exposes them to the same background load
 * of the machine, so their ratio stays meaningful on a busy host. Each repetition starts both afresh.
 *
 * <p>Opt-in, because it takes minutes: {@code mvn -B -q -pl extensions/metrics test
 * -Dtest=MetricsOverheadBenchmark -Dmetrics.overhead=true [-Dmetrics.overhead.repetitions=N]}. The
 * report goes to stdout and {@code target/metrics-overhead.md}.
 */
@EnabledIfSystemProperty(named = "metrics.overhead", matches = "true")
class MetricsOverheadBenchmark {

  private static final int PUBLISHERS = 4;
  private static final int WINDOW = 50;
  private static final int PAYLOAD_BYTES = 64;
  private static final Duration WARMUP = Duration.ofSeconds(8);
  private static final Duration MEASURE = Duration.ofSeconds(10);
  private static final List<MqttQoS> QOS_LEVELS = List.of(MqttQoS.AT_MOST_ONCE, MqttQoS.AT_LEAST_ONCE);

  /** One measured phase of both brokers. */
  record Pair(int repetition, int qos, Result off, Result on) {
    double throughputChangePercent() {
      return (on.messagesPerSecond() - off.messagesPerSecond()) * 100 / off.messagesPerSecond();
    }
  }

  /** What one broker delivered in a phase and the CPU time it spent per 1000 messages. */
  record Result(double messagesPerSecond, double cpuMillisPerThousand) {
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.MINUTES)
  void throughputWithMetricsOffAndOn(@TempDir Path workDir) throws Exception {
    int repetitions = Integer.getInteger("metrics.overhead.repetitions", 3);
    List<Pair> pairs = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      for (int rep = 1; rep <= repetitions; rep++) {
        pairs.addAll(runPair(vertx, rep, workDir.resolve("rep" + rep)));
      }
    } finally {
      vertx.close().await();
    }
    String report = report(pairs, repetitions);
    System.out.println(report);
    Files.writeString(Path.of("target/metrics-overhead.md"), report);
  }

  private static List<Pair> runPair(Vertx vertx, int rep, Path runDir) throws Exception {
    List<Pair> pairs = new ArrayList<>();
    try (BrokerJvm off = BrokerJvm.start(false, runDir.resolve("off"));
         BrokerJvm on = BrokerJvm.start(true, runDir.resolve("on"));
         Scraper scraper = new Scraper(on.metricsPort())) {
      for (MqttQoS qos : QOS_LEVELS) {
        try (FanInLoad offLoad = new FanInLoad(vertx, off.mqttPort(), PUBLISHERS, WINDOW, qos, PAYLOAD_BYTES);
             FanInLoad onLoad = new FanInLoad(vertx, on.mqttPort(), PUBLISHERS, WINDOW, qos, PAYLOAD_BYTES)) {
          offLoad.start();
          onLoad.start();
          Thread.sleep(WARMUP.toMillis());

          long offDelivered = offLoad.delivered();
          long onDelivered = onLoad.delivered();
          long offCpu = off.cpuMillis();
          long onCpu = on.cpuMillis();
          long begin = System.nanoTime();
          Thread.sleep(MEASURE.toMillis());
          double seconds = (System.nanoTime() - begin) / 1e9;

          Result offResult = result(offLoad.delivered() - offDelivered, off.cpuMillis() - offCpu, seconds);
          Result onResult = result(onLoad.delivered() - onDelivered, on.cpuMillis() - onCpu, seconds);
          pairs.add(new Pair(rep, qos.value(), offResult, onResult));
        }
      }
    }
    return pairs;
  }

  private static Result result(long messages, long cpuMillis, double seconds) {
    return new Result(messages / seconds, cpuMillis * 1000.0 / messages);
  }

  private static String report(List<Pair> pairs, int repetitions) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Metrics extension off and on side by side: per broker %d publishers -> "
            + "1 subscriber, window %d, %d-byte payload, %d s warm-up + %d s measured per QoS, %d repetitions, "
            + "%d cores%n%n", PUBLISHERS, WINDOW, PAYLOAD_BYTES, WARMUP.toSeconds(), MEASURE.toSeconds(), repetitions,
        Runtime.getRuntime().availableProcessors()));
    out.append("| QoS | repetition | off msg/s | on msg/s | on vs off | off CPU ms/1000 msg | on CPU ms/1000 msg |\n");
    out.append("|---|---|---|---|---|---|---|\n");
    for (Pair p : pairs) {
      out.append(String.format(Locale.ROOT, "| %d | %d | %.0f | %.0f | %+.1f %% | %.1f | %.1f |%n", p.qos(),
          p.repetition(), p.off().messagesPerSecond(), p.on().messagesPerSecond(), p.throughputChangePercent(),
          p.off().cpuMillisPerThousand(), p.on().cpuMillisPerThousand()));
    }
    out.append('\n');
    for (MqttQoS qos : QOS_LEVELS) {
      List<Double> changes = new ArrayList<>();
      List<Double> offCpu = new ArrayList<>();
      List<Double> onCpu = new ArrayList<>();
      for (Pair p : pairs) {
        if (p.qos() == qos.value()) {
          changes.add(p.throughputChangePercent());
          offCpu.add(p.off().cpuMillisPerThousand());
          onCpu.add(p.on().cpuMillisPerThousand());
        }
      }
      out.append(String.format(Locale.ROOT, "QoS %d: throughput on vs off, median %+.1f %% (range %+.1f..%+.1f %%); "
              + "broker CPU per 1000 messages, median off %.1f ms, on %.1f ms%n", qos.value(), median(changes),
          changes.stream().mapToDouble(d -> d).min().orElse(0), changes.stream().mapToDouble(d -> d).max().orElse(0),
          median(offCpu), median(onCpu)));
    }
    return out.toString();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Fetches /metrics every second on its own thread, as Prometheus would. */
  private static final class Scraper implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    Scraper(int port) {
      thread = new Thread(() -> scrapeLoop(port), "bench-scraper");
      thread.setDaemon(true);
      thread.start();
    }

    private void scrapeLoop(int port) {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build();
      while (running) {
        try {
          http.send(request, HttpResponse.BodyHandlers.discarding());
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException("scrape of /metrics failed during the benchmark", e);
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.interrupt();
      thread.join(5_000);
    }
  }
}
