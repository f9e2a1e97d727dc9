package io.ferrymq.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Collects the measured phases of a comparison run and writes them as a CSV of every phase and a
 * Markdown summary with medians, min–max spreads and FerryMQ/Mosquitto ratios.
 */
final class Report {

  /** One measured phase of one broker in one repetition. */
  record Row(int repetition, String broker, String scenario, Phase.Result result) {
  }

  private final List<Row> rows = new ArrayList<>();
  private final Map<String, List<Double>> peakRssMib = new LinkedHashMap<>();

  void add(Row row) {
    rows.add(row);
  }

  void addPeakRss(String broker, long kib) {
    peakRssMib.computeIfAbsent(broker, b -> new ArrayList<>()).add(kib / 1024.0);
  }

  /** Formats one phase for the progress log. */
  static String line(Row row) {
    Phase.Result r = row.result();
    String latency = r.settings().ratePerSecond() > 0
        ? String.format(Locale.ROOT, " p50=%.0fus p99=%.0fus max=%.0fus", micros(r, 50), micros(r, 99), maxMicros(r))
        : "";
    return String.format(Locale.ROOT,
        "rep %d %-9s %-16s %,10.0f msg/s  broker cpu %.2f us/msg  client cpu %3.0f%%  other cpu %3.0f%%  sent=%d lost=%d dup=%d"
            + " failed=%d closed=%d%s%s",
        row.repetition(), row.broker(), row.scenario(), r.messagesPerSecond(), r.brokerCpuMicrosPerMessage(),
        100 * r.clientCpuShare(), 100 * r.otherCpuShare(), r.sent(), r.lost(), r.duplicates(), r.failedPublishes(),
        r.brokerClosedConnections(), latency, r.missing().isEmpty() ? "" : " missing " + r.missing());
  }

  void writeCsv(Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("repetition,broker,scenario,qos,publishers,window,payload_bytes,rate_per_s,seconds,delivered,"
        + "messages_per_s,sent,lost,duplicates,failed_publishes,broker_closed,broker_cpu_us_per_msg,"
        + "client_cpu_share,other_cpu_share,p50_us,p99_us,max_us");
    for (Row row : rows) {
      Phase.Result r = row.result();
      Phase.Settings s = r.settings();
      lines.add(String.format(Locale.ROOT, "%d,%s,%s,%d,%d,%d,%d,%.0f,%.3f,%d,%.1f,%d,%d,%d,%d,%d,%.3f,%.3f,%.3f,%.1f,%.1f,%.1f",
          row.repetition(), row.broker(), row.scenario(), s.qos().value(), s.publishers(), s.window(),
          s.payloadSize(), s.ratePerSecond(), r.seconds(), r.delivered(), r.messagesPerSecond(), r.sent(), r.lost(),
          r.duplicates(), r.failedPublishes(), r.brokerClosedConnections(), r.brokerCpuMicrosPerMessage(),
          r.clientCpuShare(), r.otherCpuShare(), micros(r, 50), micros(r, 99), maxMicros(r)));
    }
    Files.write(file, lines);
  }

  /** Returns the Markdown summary: one table for rates and CPU, one for latency, one for memory. */
  String summary(List<String> brokers) {
    StringBuilder out = new StringBuilder();
    out.append("| scenario | broker | delivered msg/s | broker CPU µs/msg | load generator CPU % | other CPU % "
        + "| lost | dup | ratio msg/s | ratio CPU |\n");
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String scenario : scenarios()) {
      for (String broker : brokers) {
        List<Row> selected = select(broker, scenario);
        if (selected.isEmpty()) {
          continue;
        }
        out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.0f | %.0f | %d | %d | %s | %s |%n", scenario,
            broker, spread(selected, Phase.Result::messagesPerSecond).format(0),
            spread(selected, Phase.Result::brokerCpuMicrosPerMessage).format(2),
            100 * spread(selected, Phase.Result::clientCpuShare).median(),
            100 * spread(selected, Phase.Result::otherCpuShare).median(),
            selected.stream().mapToLong(row -> row.result().lost()).sum(),
            selected.stream().mapToLong(row -> row.result().duplicates()).sum(),
            ratio(scenario, Phase.Result::messagesPerSecond, broker),
            ratio(scenario, Phase.Result::brokerCpuMicrosPerMessage, broker)));
      }
    }
    appendLatency(out, brokers);
    out.append("\n| broker | peak RSS MiB (VmHWM) |\n|---|---:|\n");
    peakRssMib.forEach((broker, values) ->
        out.append("| ").append(broker).append(" | ").append(Spread.of(values).format(1)).append(" |\n"));
    return out.toString();
  }

  private void appendLatency(StringBuilder out, List<String> brokers) {
    List<String> paced = scenarios().stream().filter(s -> s.startsWith("latency")).toList();
    if (paced.isEmpty()) {
      return;
    }
    out.append("\n| scenario | broker | p50 µs | p99 µs | max µs | ratio p50 | ratio p99 |\n");
    out.append("|---|---|---:|---:|---:|---:|---:|\n");
    for (String scenario : paced) {
      for (String broker : brokers) {
        List<Row> selected = select(broker, scenario);
        if (selected.isEmpty()) {
          continue;
        }
        out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", scenario, broker,
            spread(selected, r -> micros(r, 50)).format(0), spread(selected, r -> micros(r, 99)).format(0),
            spread(selected, Report::maxMicros).format(0), ratio(scenario, r -> micros(r, 50), broker),
            ratio(scenario, r -> micros(r, 99), broker)));
      }
    }
  }

  private List<String> scenarios() {
    return rows.stream().map(Row::scenario).distinct().toList();
  }

  private List<Row> select(String broker, String scenario) {
    return rows.stream().filter(r -> r.broker().equals(broker) && r.scenario().equals(scenario)).toList();
  }

  private static Spread spread(List<Row> rows, ToDoubleFunction<Phase.Result> metric) {
    return Spread.of(rows.stream().map(row -> metric.applyAsDouble(row.result())).toList());
  }

  /** FerryMQ's median over Mosquitto's median, shown on the FerryMQ row only. */
  private String ratio(String scenario, ToDoubleFunction<Phase.Result> metric, String broker) {
    List<Row> ferry = select("ferrymq", scenario);
    List<Row> mosquitto = select("mosquitto", scenario);
    if (!broker.equals("ferrymq") || ferry.isEmpty() || mosquitto.isEmpty()) {
      return "";
    }
    return String.format(Locale.ROOT, "%.2f", spread(ferry, metric).median() / spread(mosquitto, metric).median());
  }

  private static double micros(Phase.Result r, double percentile) {
    return r.latencies().getTotalCount() == 0 ? Double.NaN : r.latencies().getValueAtPercentile(percentile) / 1_000.0;
  }

  private static double maxMicros(Phase.Result r) {
    return r.latencies().getTotalCount() == 0 ? Double.NaN : r.latencies().getMaxValue() / 1_000.0;
  }
}
