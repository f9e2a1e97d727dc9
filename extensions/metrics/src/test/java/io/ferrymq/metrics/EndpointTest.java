package io.ferrymq.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ferrymq.broker.config.ConfigException;
import io.ferrymq.spi.ExtensionContext;
import io.ferrymq.metrics.testing.HookExtension;
import io.ferrymq.metrics.testing.MetricsBroker;
import io.ferrymq.metrics.testing.Scrape;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The /metrics endpoint itself: what it serves, what it leaves out and how it fails to start. */
@Timeout(60)
class EndpointTest {

  @Test
  void endpointServesBrokerAndJvmMetrics() throws Exception {
    try (MetricsBroker broker = MetricsBroker.start()) {
      Scrape s = broker.scrape();

      assertThat(s.value("ferrymq_build_info", "version", "0.1.0-SNAPSHOT")).isEqualTo(1);
      assertThat(s.value("ferrymq_connections")).isZero();
      assertThat(s.hasName("jvm_memory_used_bytes")).isTrue();
      assertThat(s.hasName("jvm_threads_current")).isTrue();
      assertThat(s.hasName("process_start_time_seconds")).isTrue();
    }
  }

  @Test
  void healthEndpointAnswersOk() throws Exception {
    try (MetricsBroker broker = MetricsBroker.start()) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.metricsPort() + "/-/healthy")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void readmeListsExactlyTheServedMetrics() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    Set<String> documented = new TreeSet<>();
    Matcher m = Pattern.compile("^\\| `(ferrymq_\\w+)` \\|", Pattern.MULTILINE).matcher(readme);
    while (m.find()) {
      documented.add(m.group(1));
    }
    Set<String> served = new TreeSet<>();
    try (MetricsBroker broker = MetricsBroker.start()) {
      for (String line : broker.scrapeText().split("\n")) {
        if (line.startsWith("# TYPE ferrymq_")) {
          served.add(line.split(" ")[2]);
        }
      }
    }

    assertThat(documented).containsExactlyElementsOf(served);
  }

  @Test
  void jvmMetricsCanBeTurnedOff() throws Exception {
    try (MetricsBroker broker = MetricsBroker.start(Map.of("jvm-metrics", false), b -> b, List.of())) {
      Scrape s = broker.scrape();

      assertThat(s.hasName("jvm_memory_used_bytes")).isFalse();
      assertThat(s.value("ferrymq_connections")).isZero();
    }
  }

  @Test
  void storeCommitsFillHistogram() throws Exception {
    AtomicReference<ExtensionContext> store = new AtomicReference<>();
    try (MetricsBroker broker = MetricsBroker.start(Map.of(), b -> b,
        List.of(new HookExtension("fake-store", store::set)))) {
      assertThat(broker.scrape().value("ferrymq_store_commit_duration_seconds_count")).isZero();

      store.get().observers().onStoreCommit(2_000_000, 12);
      store.get().observers().onStoreCommit(30_000_000, 400);
      Scrape s = broker.scrape();

      assertThat(s.value("ferrymq_store_commit_duration_seconds_count")).isEqualTo(2);
      assertThat(s.value("ferrymq_store_commit_duration_seconds_sum")).isCloseTo(0.032, within(1e-9));
      assertThat(s.value("ferrymq_store_commit_duration_seconds_bucket", "le", "0.0025")).isEqualTo(1);
      assertThat(s.value("ferrymq_store_commit_duration_seconds_bucket", "le", "0.05")).isEqualTo(2);
    }
  }

  @Test
  void endpointBindsToConfiguredHost() throws Exception {
    try (MetricsBroker broker = MetricsBroker.start(Map.of("host", "127.0.0.2"), b -> b, List.of())) {
      // 127.0.0.2 is loopback on Linux; a socket bound there accepts no connections on 127.0.0.1.
      assertThatThrownBy(broker::scrapeText).isInstanceOf(java.net.ConnectException.class);
      try (java.net.Socket socket = new java.net.Socket("127.0.0.2", broker.metricsPort())) {
        assertThat(socket.isConnected()).isTrue();
      }
    }
  }

  @Test
  void busyPortStopsStartupNamingIt() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      assertThatThrownBy(() -> MetricsBroker.start(Map.of("port", port), b -> b, List.of()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("extensions.metrics: cannot listen on 127.0.0.1:" + port + " for the metrics endpoint")
          .hasMessageEndingWith("set port to a free port (bin/ferrymq: --metrics-port) and host to a local address");
    }
  }

  @Test
  void invalidSettingStopsStartupNamingIt() {
    assertThatThrownBy(() -> MetricsBroker.start(Map.of("port", 70000), b -> b, List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("extensions.metrics: port is 70000: set it to a whole number from 0 to 65535");
  }
}
