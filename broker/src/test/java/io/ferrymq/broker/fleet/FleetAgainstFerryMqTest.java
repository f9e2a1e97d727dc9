package io.ferrymq.broker.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.testing.TestBroker;
import io.ferrymq.sim.config.FleetConfig;
import io.ferrymq.sim.fleet.Fleet;
import io.ferrymq.sim.report.ReportTable;
import io.ferrymq.sim.report.RunReport;
import io.ferrymq.sim.verify.VerificationResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fleets of 200 simulated devices with churn against FerryMQ: every QoS promise must hold, wills
 * must fire for dropped devices only, and retained statuses must be right.
 */
@Timeout(120)
class FleetAgainstFerryMqTest {

  private TestBroker broker;

  @BeforeEach
  void start() {
    broker = TestBroker.start();
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  private FleetConfig.Builder fleet() {
    return FleetConfig.builder()
        .set("port", Integer.toString(broker.port()))
        .set("devices", "200")
        .set("ramp-up", "400/s")
        .set("duration", "8s")
        .set("interval", "500ms")
        .set("jitter", "100ms")
        .set("qos", "0:30,1:40,2:30")
        .set("churn-rate", "6/s")
        .set("offline-time", "1s")
        .set("command-rate", "30/s")
        .set("drain", "10s");
  }

  private static VerificationResult assertPassed(RunReport report) {
    VerificationResult result = report.verification().orElseThrow();
    assertThat(result.examples()).as(ReportTable.format(report)).isEmpty();
    assertThat(result.totalLost()).isZero();
    assertThat(result.totalDuplicated()).isZero();
    assertThat(result.reordered()).isZero();
    assertThat(result.unexpected()).isZero();
    assertThat(report.exitCode()).isZero();
    assertThat(report.devicesConnected()).isEqualTo(200);
    assertThat(result.delivered()[1]).isPositive();
    assertThat(result.delivered()[2]).isPositive();
    assertThat(report.repliesReceived()).isPositive();
    return result;
  }

  @Test
  void mqtt5PersistentFleetWithMixedChurnKeepsEveryPromise() {
    RunReport report = Fleet.run(fleet()
        .set("session", "persistent")
        .set("churn-mode", "mixed")
        .set("subscribers", "2")
        .set("slow-subscribers", "50%")
        .set("slow-delay", "1ms")
        .build());
    VerificationResult result = assertPassed(report);
    assertThat(report.drops()).isPositive();
    assertThat(result.wills()).isEqualTo(2 * report.drops());
    assertThat(result.unexpectedWills()).isZero();
    assertThat(result.missingRetained()).isZero();
    assertThat(result.wrongRetained()).isZero();
  }

  @Test
  void mqtt311CleanFleetWithSocketDropsKeepsEveryPromise() {
    RunReport report = Fleet.run(fleet()
        .set("mqtt-version", "3.1.1")
        .set("session", "clean")
        .set("churn-mode", "drop")
        .build());
    VerificationResult result = assertPassed(report);
    assertThat(result.wills()).isEqualTo(report.drops());
    assertThat(result.wrongRetained()).isZero();
  }
}
