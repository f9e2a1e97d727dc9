package io.ferrymq.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ferrymq.metrics.testing.MetricsBroker;
import io.ferrymq.metrics.testing.PrometheusServer;
import io.ferrymq.metrics.testing.TrafficLoop;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves every query of the Grafana dashboard against a real Prometheus that scrapes a broker under
 * traffic, so that no panel names a metric that does not exist or stays blank. Needs Debian's
 * {@code prometheus} package; without it the test is skipped, except under CI, where it fails.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardTest {

  private static final Path GRAFANA = Path.of(System.getProperty("user.dir")).resolve("../../grafana").normalize();
  private static final Path DASHBOARD = GRAFANA.resolve("dashboards/ferrymq-broker.json");
  private static final List<String> ROWS = List.of("Overview", "Traffic by QoS", "Drops and throttling",
      "Sessions and queues", "Latency", "JVM");
  /** Grafana's label_values(metric, label) variable query. */
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((\\w+),\\s*(\\w+)\\)");

  @Test
  void dashboardHasRowsAndWellFormedPanels() throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    JsonArray panels = dashboard.getJsonArray("panels");

    List<String> rows = new ArrayList<>();
    Set<Integer> ids = new HashSet<>();
    for (int i = 0; i < panels.size(); i++) {
      JsonObject panel = panels.getJsonObject(i);
      assertThat(ids.add(panel.getInteger("id"))).as("panel id %s is unique", panel.getInteger("id")).isTrue();
      assertThat(panel.getJsonObject("gridPos")).as("gridPos of %s", panel.getString("title")).isNotNull();
      if ("row".equals(panel.getString("type"))) {
        rows.add(panel.getString("title"));
        continue;
      }
      assertThat(panel.getJsonObject("datasource").getString("uid")).as("data source of %s", panel.getString("title"))
          .isEqualTo("${datasource}");
      assertThat(panel.getJsonArray("targets")).as("targets of %s", panel.getString("title")).isNotEmpty();
      assertThat(panel.getString("description")).as("description of %s", panel.getString("title")).isNotBlank();
    }
    assertThat(rows).containsExactlyElementsOf(ROWS);
    assertThat(dashboard.getString("uid")).isEqualTo("ferrymq-broker");
  }

  @Test
  void everyDashboardQueryReturnsData(@TempDir Path workDir) throws Exception {
    requirePrometheus();
    Map<String, String> queries = dashboardQueries();
    assertThat(queries).hasSizeGreaterThan(30);

    try (MetricsBroker broker = MetricsBroker.start();
         TrafficLoop traffic = new TrafficLoop(broker);
         PrometheusServer prometheus = PrometheusServer.start("127.0.0.1:" + broker.metricsPort(), workDir)) {
      // Rates need two scrapes inside their window; quantiles need deliveries inside it.
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        traffic.check();
        assertThat(prometheus.query("sum(rate(ferrymq_delivery_latency_seconds_count[10s])) > 0")
            .getJsonArray("result")).isNotEmpty();
        assertThat(prometheus.query("count_over_time(up[10s]) >= 5").getJsonArray("result")).isNotEmpty();
      });

      List<String> failures = new ArrayList<>();
      for (Map.Entry<String, String> q : queries.entrySet()) {
        String problem = check(prometheus, q.getValue());
        if (problem != null) {
          failures.add(q.getKey() + ": " + problem + "\n    " + q.getValue());
        }
      }
      assertThat(failures).as("dashboard queries that returned no data").isEmpty();
    }
  }

  @Test
  void sampleScrapeConfigIsValid() throws Exception {
    Path promtool = PrometheusServer.BINARY.resolveSibling("promtool");
    requirePrometheus();

    Process check = new ProcessBuilder(promtool.toString(), "check", "config", GRAFANA.resolve("prometheus.yml").toString())
        .redirectErrorStream(true).start();
    String output = new String(check.getInputStream().readAllBytes());

    assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(check.exitValue()).as(output).isZero();
  }

  private static void requirePrometheus() {
    if (Files.isExecutable(PrometheusServer.BINARY)) {
      return;
    }
    String message = PrometheusServer.BINARY + " not found: install Debian's prometheus package "
        + "(apt-get install prometheus) or set PROMETHEUS_BIN";
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(message);
    }
    Assumptions.abort(message);
  }

  /** Returns every PromQL expression of the dashboard by where it sits, with Grafana's variables filled in. */
  private static Map<String, String> dashboardQueries() throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    Map<String, String> queries = new LinkedHashMap<>();
    JsonArray panels = dashboard.getJsonArray("panels");
    for (int i = 0; i < panels.size(); i++) {
      JsonObject panel = panels.getJsonObject(i);
      JsonArray targets = panel.getJsonArray("targets", new JsonArray());
      for (int t = 0; t < targets.size(); t++) {
        JsonObject target = targets.getJsonObject(t);
        queries.put("panel '" + panel.getString("title") + "' target " + target.getString("refId"),
            fillVariables(target.getString("expr")));
      }
    }
    JsonArray variables = dashboard.getJsonObject("templating").getJsonArray("list");
    for (int i = 0; i < variables.size(); i++) {
      JsonObject variable = variables.getJsonObject(i);
      if (!"query".equals(variable.getString("type"))) {
        continue;
      }
      Matcher m = LABEL_VALUES.matcher(variable.getString("query"));
      assertThat(m.matches()).as("variable %s uses label_values(metric, label)", variable.getString("name")).isTrue();
      queries.put("variable '" + variable.getString("name") + "'", "count by (" + m.group(2) + ") (" + m.group(1) + ")");
    }
    return queries;
  }

  /**
   * Replaces the dashboard's variables with what Grafana would send: the rate window for a 1 s scrape
   * interval, and "All" brokers.
   */
  private static String fillVariables(String expr) {
    return expr.replace("$__rate_interval", "10s").replace("$instance", ".+");
  }

  /** Returns why the query's result counts as no data, or null when it has a finite sample. */
  private static String check(PrometheusServer prometheus, String promql) throws Exception {
    JsonObject data;
    try {
      data = prometheus.query(promql);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    JsonArray result = data.getJsonArray("result");
    if (result.isEmpty()) {
      return "empty result";
    }
    for (int i = 0; i < result.size(); i++) {
      String value = result.getJsonObject(i).getJsonArray("value").getString(1);
      if (Double.isFinite(Double.parseDouble(value))) {
        return null;
      }
    }
    return "no finite value in " + result.encode();
  }
}
