package io.ferrymq.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Collects the measured phases of a comparison run and writes them as a CSV of every phase and
 * Markdown tables with medians, min–max spreads and the ratio of FerryMQ's median to each other
 * broker's median.
 */
final class Report {

  /** The FerryMQ variants; the first one that ran a scenario is the reference of its ratios. */
  static final List<String> FERRY_BROKERS = List.of("ferrymq", "ferrymq-ext");

  /** One measured phase of one broker in one repetition. */
  record Row(int repetition, String broker, String scenario, Phase.Result result) {
  }

  /** One idle-connections measurement of one broker in one repetition. */
  record ConnectionRow(int repetition, String broker, IdleConnections.Result result) {
  }

  private final List<Row> rows = new ArrayList<>();
  private final List<ConnectionRow> connectionRows = new ArrayList<>();

  void add(Row row) {
    rows.add(row);
  }

  void add(ConnectionRow row) {
    connectionRows.add(row);
  }

  List<Row> rows() {
    return List.copyOf(rows);
  }

  List<ConnectionRow> connectionRows() {
    return List.copyOf(connectionRows);
  }

  /** Formats one phase for the progress log. */
  static String line(Row row) {
    Phase.Result r = row.result();
    String latency = r.settings().ratePerSecond() > 0
        ? String.format(Locale.ROOT, " p50=%.0fus p99=%.0fus p99.9=%.0fus max=%.0fus", micros(r, 50), micros(r, 99),
            micros(r, 99.9), maxMicros(r))
        : "";
    return String.format(Locale.ROOT,
        "rep %d %-17s %-16s %,10.0f msg/s  broker cpu %.2f us/msg  client cpu %3.0f%%  other cpu %3.0f%%  sent=%d lost=%d dup=%d"
            + " reordered=%d undelivered-at-stop=%d failed=%d closed=%d peak-rss=%.0fMiB%s%s",
        row.repetition(), row.broker(), row.scenario(), r.messagesPerSecond(), r.brokerCpuMicrosPerMessage(),
        100 * r.clientCpuShare(), 100 * r.otherCpuShare(), r.sent(), r.lost(), r.duplicates(), r.reordered(),
        r.undeliveredAtStop(), r.failedPublishes(), r.brokerClosedConnections(), r.peakRssKib() / 1024.0, latency,
        r.missing().isEmpty() ? "" : " missing " + r.missing());
  }

  /** Formats one idle-connections measurement for the progress log. */
  static String line(ConnectionRow row) {
    IdleConnections.Result r = row.result();
    return String.format(Locale.ROOT,
        "rep %d %-17s connections      %d of %d connected (%d failed) at %,.0f/s  rss %.2f KiB/conn  heap %.2f KiB/conn"
            + "  peak-rss=%.0fMiB",
        row.repetition(), row.broker(), r.connected(), r.requested(), r.failed(), r.connectsPerSecond(),
        r.rssKibPerConnection(), r.heapKibPerConnection(), r.peakRssKib() / 1024.0);
  }

  void writeCsv(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("repetition,broker,scenario,qos,publishers,subscribers,window,payload_bytes,rate_per_s,persistent_session,"
        + "seconds,delivered,messages_per_s,sent,lost,duplicates,reordered,undelivered_at_stop,failed_publishes,"
        + "broker_closed,broker_cpu_us_per_msg,client_cpu_share,other_cpu_share,peak_rss_kib,p50_us,p99_us,p999_us,max_us");
    for (Row row : rows) {
      Phase.Result r = row.result();
      Phase.Settings s = r.settings();
      lines.add(String.format(Locale.ROOT,
          "%d,%s,%s,%d,%d,%d,%d,%d,%.0f,%b,%.3f,%d,%.1f,%d,%d,%d,%d,%d,%d,%d,%.3f,%.3f,%.3f,%d,%.1f,%.1f,%.1f,%.1f",
          row.repetition(), row.broker(), row.scenario(), s.qos().value(), s.publishers(), s.subscribers(), s.window(),
          s.payloadSize(), s.ratePerSecond(), s.persistentSession(), r.seconds(), r.delivered(), r.messagesPerSecond(),
          r.sent(), r.lost(), r.duplicates(), r.reordered(), r.undeliveredAtStop(), r.failedPublishes(),
          r.brokerClosedConnections(), r.brokerCpuMicrosPerMessage(), r.clientCpuShare(), r.otherCpuShare(),
          r.peakRssKib(), micros(r, 50), micros(r, 99), micros(r, 99.9), maxMicros(r)));
    }
    Files.write(file, lines);
    List<String> connections = new ArrayList<>();
    connections.add("repetition,broker,requested,connected,failed,connect_seconds,rss_before_kib,rss_after_kib,"
        + "heap_before_kib,heap_after_kib,peak_rss_kib");
    for (ConnectionRow row : connectionRows) {
      IdleConnections.Result r = row.result();
      connections.add(String.format(Locale.ROOT, "%d,%s,%d,%d,%d,%.3f,%d,%d,%d,%d,%d", row.repetition(), row.broker(),
          r.requested(), r.connected(), r.failed(), r.connectSeconds(), r.rssBeforeKib(), r.rssAfterKib(),
          r.heapBeforeKib(), r.heapAfterKib(), r.peakRssKib()));
    }
    Files.write(file.resolveSibling("connections.csv"), connections);
  }

  /** Returns the Markdown tables: traffic scenarios, latency, idle connections. */
  String summary(List<String> brokers) {
    StringBuilder out = new StringBuilder();
    appendTraffic(out, brokers);
    appendLatency(out, brokers);
    appendConnections(out, brokers);
    return out.toString();
  }

  private void appendTraffic(StringBuilder out, List<String> brokers) {
    out.append("| scenario | broker | delivered msg/s | broker CPU µs/msg | lost | dup | reordered "
        + "| undelivered at stop | peak RSS MiB | other CPU % | FerryMQ ÷ this, msg/s | FerryMQ ÷ this, CPU/msg |\n");
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String scenario : scenarios()) {
      if (scenario.startsWith("latency")) {
        continue;
      }
      for (String broker : brokers) {
        List<Row> selected = select(broker, scenario);
        if (selected.isEmpty()) {
          continue;
        }
        out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %d | %d | %s | %s | %.0f | %s | %s |%n",
            scenario, broker, spread(selected, Phase.Result::messagesPerSecond).format(0),
            spread(selected, Phase.Result::brokerCpuMicrosPerMessage).format(2),
            sum(selected, Phase.Result::lost), sum(selected, Phase.Result::duplicates),
            sum(selected, Phase.Result::reordered),
            spread(selected, r -> r.undeliveredAtStop()).format(0),
            spread(selected, r -> r.peakRssKib() / 1024.0).format(0),
            100 * spread(selected, Phase.Result::otherCpuShare).median(),
            ratioCell(scenario, broker, Phase.Result::messagesPerSecond),
            ratioCell(scenario, broker, Phase.Result::brokerCpuMicrosPerMessage)));
      }
    }
  }

  private void appendLatency(StringBuilder out, List<String> brokers) {
    List<String> paced = scenarios().stream().filter(s -> s.startsWith("latency")).toList();
    if (paced.isEmpty()) {
      return;
    }
    out.append("\n| scenario | broker | delivered msg/s | broker CPU µs/msg | p50 µs | p99 µs | p99.9 µs | max µs "
        + "| lost | dup | reordered | FerryMQ ÷ this, p99 | FerryMQ ÷ this, CPU/msg |\n");
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String scenario : paced) {
      for (String broker : brokers) {
        List<Row> selected = select(broker, scenario);
        if (selected.isEmpty()) {
          continue;
        }
        out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %d | %d | %d | %s | %s |%n",
            scenario, broker, spread(selected, Phase.Result::messagesPerSecond).format(0),
            spread(selected, Phase.Result::brokerCpuMicrosPerMessage).format(2),
            spread(selected, r -> micros(r, 50)).format(0), spread(selected, r -> micros(r, 99)).format(0),
            spread(selected, r -> micros(r, 99.9)).format(0), spread(selected, Report::maxMicros).format(0),
            sum(selected, Phase.Result::lost), sum(selected, Phase.Result::duplicates),
            sum(selected, Phase.Result::reordered),
            ratioCell(scenario, broker, r -> micros(r, 99)),
            ratioCell(scenario, broker, Phase.Result::brokerCpuMicrosPerMessage)));
      }
    }
  }

  private void appendConnections(StringBuilder out, List<String> brokers) {
    if (connectionRows.isEmpty()) {
      return;
    }
    out.append("\n| broker | connected | connects/s | RSS KiB per connection | heap KiB per connection after full GC "
        + "| peak RSS MiB | FerryMQ ÷ this, connects/s | FerryMQ ÷ this, RSS/conn |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String broker : brokers) {
      List<IdleConnections.Result> selected = connections(broker);
      if (selected.isEmpty()) {
        continue;
      }
      String reference = FERRY_BROKERS.stream().filter(b -> !connections(b).isEmpty()).findFirst().orElse(null);
      boolean showRatio = reference != null && !reference.equals(broker);
      out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", broker,
          connectionSpread(selected, r -> r.connected()).format(0),
          connectionSpread(selected, IdleConnections.Result::connectsPerSecond).format(0),
          connectionSpread(selected, IdleConnections.Result::rssKibPerConnection).format(2),
          connectionSpread(selected, IdleConnections.Result::heapKibPerConnection).format(2),
          connectionSpread(selected, r -> r.peakRssKib() / 1024.0).format(0),
          showRatio ? ratio(connectionSpread(connections(reference), IdleConnections.Result::connectsPerSecond).median(),
              connectionSpread(selected, IdleConnections.Result::connectsPerSecond).median()) : "",
          showRatio ? ratio(connectionSpread(connections(reference), IdleConnections.Result::rssKibPerConnection).median(),
              connectionSpread(selected, IdleConnections.Result::rssKibPerConnection).median()) : ""));
    }
  }

  List<String> scenarios() {
    return rows.stream().map(Row::scenario).distinct().toList();
  }

  List<Row> select(String broker, String scenario) {
    return rows.stream().filter(r -> r.broker().equals(broker) && r.scenario().equals(scenario)).toList();
  }

  List<IdleConnections.Result> connections(String broker) {
    return connectionRows.stream().filter(r -> r.broker().equals(broker)).map(ConnectionRow::result).toList();
  }

  /** Returns the FerryMQ variant whose figures the other brokers' rows of {@code scenario} are compared with. */
  String reference(String scenario) {
    return FERRY_BROKERS.stream().filter(b -> !select(b, scenario).isEmpty()).findFirst().orElse(null);
  }

  /** Returns the median of {@code metric} over the repetitions of one broker and scenario, NaN when it did not run. */
  double median(String broker, String scenario, ToDoubleFunction<Phase.Result> metric) {
    return spread(select(broker, scenario), metric).median();
  }

  static Spread spread(List<Row> rows, ToDoubleFunction<Phase.Result> metric) {
    return Spread.of(rows.stream().map(row -> metric.applyAsDouble(row.result())).toList());
  }

  static Spread connectionSpread(List<IdleConnections.Result> results, ToDoubleFunction<IdleConnections.Result> metric) {
    return Spread.of(results.stream().map(metric::applyAsDouble).toList());
  }

  static long sum(List<Row> rows, java.util.function.ToLongFunction<Phase.Result> metric) {
    return rows.stream().mapToLong(row -> metric.applyAsLong(row.result())).sum();
  }

  /** FerryMQ's median over this broker's median, on every row but the reference's own. */
  private String ratioCell(String scenario, String broker, ToDoubleFunction<Phase.Result> metric) {
    String reference = reference(scenario);
    if (reference == null || reference.equals(broker)) {
      return "";
    }
    return ratio(median(reference, scenario, metric), median(broker, scenario, metric));
  }

  /** Formats {@code numerator / denominator} with two decimals, or {@code n/a} when either is missing or the denominator is 0. */
  static String ratio(double numerator, double denominator) {
    if (Double.isNaN(numerator) || Double.isNaN(denominator) || denominator == 0) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.2f", numerator / denominator);
  }

  static double micros(Phase.Result r, double percentile) {
    return r.latencies().getTotalCount() == 0 ? Double.NaN : r.latencies().getValueAtPercentile(percentile) / 1_000.0;
  }

  static double maxMicros(Phase.Result r) {
    return r.latencies().getTotalCount() == 0 ? Double.NaN : r.latencies().getMaxValue() / 1_000.0;
  }
}
