package io.ferrymq.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * FerryMQ's goals for a side-by-side run, checked against the medians of a {@link Report}. A goal
 * whose brokers or scenario did not run is left out.
 */
final class Goals {

  /** Maximum p99 latency of QoS 1 at the fixed rate, in microseconds. */
  static final double P99_LIMIT_MICROS = 700;
  /** Maximum heap per idle connection after a full GC, in kibibytes. */
  static final double HEAP_PER_CONNECTION_LIMIT_KIB = 2;
  /** Maximum resident memory per idle connection, in kibibytes. */
  static final double RSS_PER_CONNECTION_LIMIT_KIB = 8;

  /**
   * One goal and its outcome.
   *
   * @param scenario the traffic scenario a profile of FerryMQ should cover when the goal is missed,
   *     {@code connections} for the idle-connections goal, or null
   */
  record Goal(String text, boolean met, String figures, String scenario) {
  }

  private Goals() {
  }

  static List<Goal> evaluate(Report report) {
    List<Goal> goals = new ArrayList<>();
    noLossOrDuplicates(report, goals);
    noStallUnderQos0(report, goals);
    cpuAtOrBelow(report, goals, "fan-in-qos1", "mosquitto");
    cpuAtOrBelow(report, goals, "fan-out-qos1", "hivemq");
    for (String scenario : report.scenarios()) {
      if (!scenario.startsWith("latency")) {
        throughputAtOrAbove(report, goals, scenario);
      }
    }
    latency(report, goals);
    connections(report, goals);
    return goals;
  }

  private static void noLossOrDuplicates(Report report, List<Goal> goals) {
    for (String scenario : report.scenarios()) {
      for (String broker : Report.FERRY_BROKERS) {
        List<Report.Row> rows = report.select(broker, scenario);
        if (rows.isEmpty() || rows.get(0).result().settings().qos().value() == 0) {
          continue;
        }
        long lost = Report.sum(rows, Phase.Result::lost);
        long duplicates = Report.sum(rows, Phase.Result::duplicates);
        long closed = Report.sum(rows, r -> r.brokerClosedConnections());
        goals.add(new Goal(broker + ", " + scenario + ": nothing lost or duplicated", lost == 0 && duplicates == 0 && closed == 0,
            String.format(Locale.ROOT, "%d lost, %d duplicated, %d connections closed by the broker", lost, duplicates, closed),
            scenario));
      }
    }
  }

  private static void noStallUnderQos0(Report report, List<Goal> goals) {
    for (String broker : Report.FERRY_BROKERS) {
      List<Report.Row> rows = report.select(broker, "fan-in-qos0");
      if (rows.isEmpty()) {
        continue;
      }
      boolean delivering = rows.stream().allMatch(r -> r.result().delivered() > 0);
      long closed = Report.sum(rows, r -> r.brokerClosedConnections());
      goals.add(new Goal(broker + ", fan-in-qos0: no stall and no closed connection under the flood",
          delivering && closed == 0,
          String.format(Locale.ROOT, "lowest rate %,.0f msg/s, %d connections closed",
              rows.stream().mapToDouble(r -> r.result().messagesPerSecond()).min().orElse(0), closed),
          "fan-in-qos0"));
    }
  }

  private static void cpuAtOrBelow(Report report, List<Goal> goals, String scenario, String other) {
    String reference = report.reference(scenario);
    double ferry = report.median(reference == null ? "" : reference, scenario, Phase.Result::brokerCpuMicrosPerMessage);
    double theirs = report.median(other, scenario, Phase.Result::brokerCpuMicrosPerMessage);
    if (Double.isNaN(ferry) || Double.isNaN(theirs)) {
      return;
    }
    goals.add(new Goal(String.format(Locale.ROOT, "%s, %s: broker CPU per message at or below %s's", reference, scenario, other),
        ferry <= theirs, String.format(Locale.ROOT, "%.2f against %.2f µs/msg, ratio %s", ferry, theirs,
            Report.ratio(ferry, theirs)), scenario));
  }

  private static void throughputAtOrAbove(Report report, List<Goal> goals, String scenario) {
    String reference = report.reference(scenario);
    if (reference == null) {
      return;
    }
    double ferry = report.median(reference, scenario, Phase.Result::messagesPerSecond);
    List<String> behind = new ArrayList<>();
    List<String> figures = new ArrayList<>();
    for (String other : List.of("mosquitto", "hivemq", "mosquitto-persist")) {
      double theirs = report.median(other, scenario, Phase.Result::messagesPerSecond);
      if (Double.isNaN(theirs)) {
        continue;
      }
      figures.add(String.format(Locale.ROOT, "%s %,.0f", other, theirs));
      if (ferry < theirs) {
        behind.add(other);
      }
    }
    if (figures.isEmpty()) {
      return;
    }
    goals.add(new Goal(reference + ", " + scenario + ": delivered msg/s at or above every other broker", behind.isEmpty(),
        String.format(Locale.ROOT, "%s %,.0f against %s", reference, ferry, String.join(", ", figures)), scenario));
  }

  private static void latency(Report report, List<Goal> goals) {
    double p99 = report.median("ferrymq", "latency-qos1", r -> Report.micros(r, 99));
    if (Double.isNaN(p99)) {
      return;
    }
    goals.add(new Goal(String.format(Locale.ROOT, "ferrymq, latency-qos1: p99 under %.1f ms", P99_LIMIT_MICROS / 1000),
        p99 < P99_LIMIT_MICROS, String.format(Locale.ROOT, "p99 %,.0f µs", p99), "latency-qos1"));
  }

  private static void connections(Report report, List<Goal> goals) {
    List<IdleConnections.Result> results = report.connections("ferrymq");
    if (results.isEmpty()) {
      return;
    }
    double heap = Report.connectionSpread(results, IdleConnections.Result::heapKibPerConnection).median();
    double rss = Report.connectionSpread(results, IdleConnections.Result::rssKibPerConnection).median();
    goals.add(new Goal(String.format(Locale.ROOT, "ferrymq, idle connections: under %.0f KiB of heap and %.0f KiB of RSS each",
        HEAP_PER_CONNECTION_LIMIT_KIB, RSS_PER_CONNECTION_LIMIT_KIB),
        heap < HEAP_PER_CONNECTION_LIMIT_KIB && rss < RSS_PER_CONNECTION_LIMIT_KIB,
        String.format(Locale.ROOT, "%.2f KiB heap and %.2f KiB RSS per connection", heap, rss), "connections"));
  }
}
