package io.ferrymq.metrics;

import io.ferrymq.spi.Extension;
import io.ferrymq.spi.ExtensionContext;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the broker's metrics in the Prometheus text format on {@code http://HOST:PORT/metrics} and
 * publishes a {@code $SYS/broker/...} summary. Configured under {@code extensions.metrics}; see
 * {@link MetricsSettings} for the settings.
 *
 * <p>Each instance keeps its own registry, so several brokers in one JVM (as in tests) never share or
 * clash over metrics.
 */
public final class MetricsExtension implements Extension {

  private static final Logger log = LoggerFactory.getLogger(MetricsExtension.class);

  private volatile HTTPServer server;
  private volatile SysTopicPublisher sysPublisher;

  @Override
  public String name() {
    return "metrics";
  }

  @Override
  public CompletionStage<Void> start(ExtensionContext context, Map<String, Object> config) {
    MetricsSettings settings = MetricsSettings.parse(config);
    String version = version();

    PrometheusRegistry registry = new PrometheusRegistry();
    BrokerMetrics metrics = new BrokerMetrics(registry);
    BrokerGauges.register(registry, context.stats(), version);
    if (settings.jvmMetrics()) {
      JvmMetrics.builder().register(registry);
    }

    server = listen(settings, registry);
    context.addObserver(metrics);
    if (settings.sysIntervalSeconds() > 0) {
      sysPublisher = new SysTopicPublisher(context::publish, context.stats(), metrics, version);
      sysPublisher.start(settings.sysIntervalSeconds());
    }
    String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
    log.info("metrics endpoint listening on http://{}:{}/metrics sys-interval={}s", host, server.getPort(),
        settings.sysIntervalSeconds());
    return CompletableFuture.completedFuture(null);
  }

  private static HTTPServer listen(MetricsSettings settings, PrometheusRegistry registry) {
    try {
      return HTTPServer.builder()
          .hostname(settings.host())
          .port(settings.port())
          .registry(registry)
          .buildAndStart();
    } catch (IOException e) {
      // Most often the port is taken, for example by a second broker on the same host. The settings are
      // valid, so this is a start failure rather than a configuration error.
      throw new IllegalStateException("cannot listen on " + settings.host() + ":" + settings.port()
          + " for the metrics endpoint (" + e.getMessage() + "); set port to a free port (bin/ferrymq: --metrics-port) and host to a local address",
          e);
    }
  }

  /** Returns the port the metrics endpoint listens on, useful when {@code port} was 0; -1 before start. */
  public int port() {
    HTTPServer running = server;
    return running == null ? -1 : running.getPort();
  }

  @Override
  public CompletionStage<Void> stop() {
    if (sysPublisher != null) {
      sysPublisher.stop();
    }
    if (server != null) {
      server.close();
    }
    return CompletableFuture.completedFuture(null);
  }

  private static String version() {
    try (InputStream in = MetricsExtension.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException("failed to read version.properties of the metrics extension", e);
    }
  }
}
