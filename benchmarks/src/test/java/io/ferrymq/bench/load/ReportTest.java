package io.ferrymq.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttQoS;
import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class ReportTest {

  @Test
  void ratioFormatsTwoDecimals() {
    assertThat(Report.ratio(3, 2)).isEqualTo("1.50");
    assertThat(Report.ratio(1, 3)).isEqualTo("0.33");
  }

  @Test
  void ratioOfMissingOrZeroIsNotAvailable() {
    assertThat(Report.ratio(Double.NaN, 2)).isEqualTo("n/a");
    assertThat(Report.ratio(2, Double.NaN)).isEqualTo("n/a");
    assertThat(Report.ratio(2, 0)).isEqualTo("n/a");
  }

  @Test
  void medianPerBrokerAndScenario() {
    Report report = new Report();
    report.add(row(1, "ferrymq", "fan-in-qos1", 1_000, 10));
    report.add(row(2, "ferrymq", "fan-in-qos1", 3_000, 10));
    report.add(row(3, "ferrymq", "fan-in-qos1", 2_000, 10));
    report.add(row(1, "mosquitto", "fan-in-qos1", 500, 10));

    assertThat(report.median("ferrymq", "fan-in-qos1", Phase.Result::messagesPerSecond)).isEqualTo(200.0);
    assertThat(report.median("mosquitto", "fan-in-qos1", Phase.Result::messagesPerSecond)).isEqualTo(50.0);
    assertThat(report.median("hivemq", "fan-in-qos1", Phase.Result::messagesPerSecond)).isNaN();
  }

  @Test
  void referenceFallsBackToFerryMqWithExtensions() {
    Report report = new Report();
    report.add(row(1, "ferrymq-ext", "persistent-qos1", 100, 10));
    report.add(row(1, "mosquitto-persist", "persistent-qos1", 100, 10));

    assertThat(report.reference("persistent-qos1")).isEqualTo("ferrymq-ext");
    assertThat(report.reference("fan-in-qos0")).isNull();
  }

  @Test
  void summaryShowsRatioOnOtherBrokersRows() {
    Report report = new Report();
    report.add(row(1, "ferrymq", "fan-in-qos1", 2_000, 10));
    report.add(row(1, "mosquitto", "fan-in-qos1", 1_000, 10));

    String summary = report.summary(List.of("ferrymq", "mosquitto"));

    assertThat(summary).contains("| fan-in-qos1 | mosquitto | 100 (100–100) |");
    assertThat(summary).containsPattern("\\| fan-in-qos1 \\| mosquitto \\|.*\\| 2\\.00 \\| 0\\.50 \\|");
    assertThat(summary).containsPattern("\\| fan-in-qos1 \\| ferrymq \\|.*\\|  \\|  \\|");
  }

  @Test
  void goalsReportMissedCpuAndLoss() {
    Report report = new Report();
    report.add(row(1, "ferrymq", "fan-in-qos1", 2_000, 3));
    report.add(row(1, "mosquitto", "fan-in-qos1", 1_000, 0));

    List<Goals.Goal> goals = Goals.evaluate(report);

    Goals.Goal loss = goals.stream().filter(g -> g.text().contains("nothing lost")).findFirst().orElseThrow();
    assertThat(loss.met()).isFalse();
    assertThat(loss.figures()).startsWith("3 lost");
    Goals.Goal cpu = goals.stream().filter(g -> g.text().contains("CPU per message")).findFirst().orElseThrow();
    // 1 s of CPU over 200 deliveries against 1 s over 100: FerryMQ uses half the CPU per message.
    assertThat(cpu.met()).isTrue();
    assertThat(cpu.figures()).contains("ratio 0.50");
    Goals.Goal rate = goals.stream().filter(g -> g.text().contains("msg/s")).findFirst().orElseThrow();
    assertThat(rate.met()).isTrue();
    assertThat(rate.scenario()).isEqualTo("fan-in-qos1");
  }

  /** A 10 s QoS 1 phase with {@code delivered} deliveries, 1 s of broker CPU and {@code lost} messages lost. */
  private static Report.Row row(int repetition, String broker, String scenario, long delivered, long lost) {
    Phase.Settings settings = new Phase.Settings("id", MqttQoS.AT_LEAST_ONCE, 8, 1, 20, 64, Duration.ofSeconds(10), 0,
        false);
    Phase.Result result = new Phase.Result(settings, 10.0, delivered, delivered + lost, lost, 0, 0, 0, 0,
        1_000_000_000L, 0, 0, 0, "", new Histogram(3), 100 * 1024);
    return new Report.Row(repetition, broker, scenario, result);
  }
}
