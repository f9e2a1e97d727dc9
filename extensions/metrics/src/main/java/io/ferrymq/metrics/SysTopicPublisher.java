package io.ferrymq.metrics;

import io.ferrymq.spi.BrokerStats;
import io.ferrymq.spi.Message;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a summary of the broker on {@code $SYS/broker/...} topics every interval, for users without
 * Prometheus. Topics use Eclipse Mosquitto's names (as its mosquitto(8) manual lists them) where the
 * value means the same; {@code $SYS/broker/messages/queued} is FerryMQ's own.
 *
 * <p>Every message is retained, so a new subscriber gets the latest values at once, and QoS 0. The
 * first summary publishes every topic, which replaces any value a retained store restored from before
 * a restart. Later summaries publish only the topics whose value changed, as Mosquitto does, so that a
 * persistent retained store does not write the whole summary every interval.
 *
 * <p>Threading: the summary runs on one scheduler thread that this class owns; the load averages are
 * touched only there.
 */
final class SysTopicPublisher {

  private static final Logger log = LoggerFactory.getLogger(SysTopicPublisher.class);
  private static final String PREFIX = "$SYS/broker/";
  private static final int[] LOAD_WINDOWS_MINUTES = {1, 5, 15};

  private final Consumer<Message> publish;
  private final BrokerStats stats;
  private final BrokerMetrics metrics;
  private final String version;
  private final long startNanos = System.nanoTime();
  private final Map<String, LoadAverage> loads = new LinkedHashMap<>();
  private final Map<String, LongSupplier> loadSources = new LinkedHashMap<>();
  private final Map<String, String> lastPublished = new HashMap<>();
  private ScheduledExecutorService scheduler;
  private long lastSummaryNanos = startNanos;
  private int failuresInARow;

  SysTopicPublisher(Consumer<Message> publish, BrokerStats stats, BrokerMetrics metrics, String version) {
    this.publish = publish;
    this.stats = stats;
    this.metrics = metrics;
    this.version = version;
    loadSources.put("load/publish/received", metrics::messagesReceived);
    loadSources.put("load/publish/sent", metrics::messagesSent);
    loadSources.put("load/publish/dropped", metrics::droppedAtLimits);
    loadSources.put("load/connections", metrics::connectsAnswered);
    for (Map.Entry<String, LongSupplier> source : loadSources.entrySet()) {
      for (int minutes : LOAD_WINDOWS_MINUTES) {
        loads.put(source.getKey() + "/" + minutes + "min",
            new LoadAverage(minutes * 60.0, source.getValue().getAsLong()));
      }
    }
  }

  /**
   * Starts publishing, the first summary one second from now. By then the broker has usually restored its
   * retained store, whose old $SYS values the first summary replaces.
   */
  void start(int intervalSeconds) {
    scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread t = new Thread(task, "ferrymq-metrics-sys");
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleAtFixedRate(this::publishSummarySafely, 1, intervalSeconds, TimeUnit.SECONDS);
  }

  void stop() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }

  private void publishSummarySafely() {
    try {
      publishSummary();
      if (failuresInARow > 0) {
        log.info("$SYS summary published again after {} failed attempts", failuresInARow);
        failuresInARow = 0;
      }
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again, so every failure is caught here.
      failuresInARow++;
      if (failuresInARow == 1) {
        log.warn("failed to publish the $SYS summary; retrying every interval", e);
      } else {
        log.debug("failed to publish the $SYS summary attempt={} error={}", failuresInARow, e.toString());
      }
    }
  }

  /** Publishes the topics of the summary whose value changed since the last summary. */
  void publishSummary() {
    for (Map.Entry<String, String> topic : summary(System.nanoTime()).entrySet()) {
      if (topic.getValue().equals(lastPublished.get(topic.getKey()))) {
        continue;
      }
      publish.accept(Message.builder(PREFIX + topic.getKey())
          .retain(true)
          .payload(topic.getValue().getBytes(StandardCharsets.UTF_8))
          .build());
      lastPublished.put(topic.getKey(), topic.getValue());
    }
  }

  /**
   * Builds the summary as topics, without the {@code $SYS/broker/} prefix, and their payloads. Each call
   * advances the load averages to {@code nowNanos}.
   */
  Map<String, String> summary(long nowNanos) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("version", "FerryMQ version " + version);
    values.put("uptime", TimeUnit.NANOSECONDS.toSeconds(nowNanos - startNanos) + " seconds");

    int connected = stats.connectedClients();
    int sessions = stats.sessions();
    values.put("clients/connected", Integer.toString(connected));
    values.put("clients/disconnected", Integer.toString(Math.max(0, sessions - connected)));
    values.put("clients/total", Integer.toString(sessions));
    values.put("clients/maximum", Integer.toString(metrics.connectedMax()));
    values.put("subscriptions/count", Long.toString(stats.subscriptions()));
    values.put("retained messages/count", Integer.toString(stats.retainedMessages()));
    values.put("messages/inflight", Long.toString(stats.inflightMessages()));
    values.put("messages/queued", Long.toString(stats.queuedMessages()));

    values.put("publish/messages/received", Long.toString(metrics.messagesReceived()));
    values.put("publish/messages/sent", Long.toString(metrics.messagesSent()));
    values.put("publish/messages/dropped", Long.toString(metrics.droppedAtLimits()));
    values.put("publish/bytes/received", Long.toString(metrics.payloadBytesReceived()));
    values.put("publish/bytes/sent", Long.toString(metrics.payloadBytesSent()));

    double elapsedSeconds = (nowNanos - lastSummaryNanos) / 1e9;
    lastSummaryNanos = nowNanos;
    for (Map.Entry<String, LongSupplier> source : loadSources.entrySet()) {
      long total = source.getValue().getAsLong();
      for (int minutes : LOAD_WINDOWS_MINUTES) {
        String topic = source.getKey() + "/" + minutes + "min";
        values.put(topic, String.format(Locale.ROOT, "%.2f", loads.get(topic).update(total, elapsedSeconds)));
      }
    }
    return values;
  }
}
