package io.ferrymq.metrics.testing;

import io.ferrymq.broker.FerryBroker;
import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.metrics.MetricsExtension;
import io.ferrymq.spi.Extension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A broker on free ports with the metrics extension enabled, plus any test extensions given. The
 * {@code $SYS} summary is off unless a test sets {@code sys-interval}, so that counters and gauges
 * see only the test's own traffic. Close it at the end of the test.
 */
public final class MetricsBroker implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final FerryBroker broker;
  private final MetricsExtension metrics;

  private MetricsBroker(FerryBroker broker, MetricsExtension metrics) {
    this.broker = broker;
    this.metrics = metrics;
  }

  public static MetricsBroker start() {
    return start(Map.of(), b -> b, List.of());
  }

  /**
   * Starts a broker.
   *
   * @param metricsSettings settings of the metrics section besides {@code enabled}; port defaults to 0
   * @param brokerSettings changes to the broker's config
   * @param others further extensions, each enabled under its own name
   */
  public static MetricsBroker start(Map<String, Object> metricsSettings, UnaryOperator<BrokerConfig.Builder> brokerSettings,
                                    List<Extension> others) {
    Map<String, Object> section = new HashMap<>();
    section.put("enabled", true);
    section.put("port", 0);
    section.put("sys-interval", 0);
    section.putAll(metricsSettings);
    BrokerConfig.Builder config = BrokerConfig.builder().port(0).wsPort(-1).eventLoops(2).extension("metrics", section);
    for (Extension e : others) {
      config.extension(e.name(), Map.of("enabled", true));
    }
    MetricsExtension metrics = new MetricsExtension();
    FerryBroker.Builder builder = FerryBroker.builder().config(brokerSettings.apply(config).build()).extension(metrics);
    others.forEach(builder::extension);
    return new MetricsBroker(builder.start(), metrics);
  }

  public String mqttUri() {
    return "tcp://127.0.0.1:" + broker.port();
  }

  public int mqttPort() {
    return broker.port();
  }

  public int metricsPort() {
    return metrics.port();
  }

  public String metricsUrl() {
    return "http://127.0.0.1:" + metrics.port() + "/metrics";
  }

  /** Fetches {@code /metrics} in the Prometheus text format. */
  public String scrapeText() throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(metricsUrl())).timeout(Duration.ofSeconds(10)).GET().build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + metricsUrl() + " returned HTTP " + response.statusCode());
    }
    return response.body();
  }

  public Scrape scrape() throws IOException, InterruptedException {
    return Scrape.parse(scrapeText());
  }

  @Override
  public void close() {
    broker.stop();
  }
}
