package io.ferrymq.sim.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.sim.config.FleetConfig;
import io.ferrymq.sim.report.ReportTable;
import io.ferrymq.sim.report.RunReport;
import io.ferrymq.sim.testing.Mosquitto;
import io.ferrymq.sim.verify.VerificationResult;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Fleets of 200 devices with churn against a real mosquitto must keep every QoS promise. */
@Timeout(90)
class FleetAgainstMosquittoTest {
    @TempDir
    Path dir;

    private Mosquitto broker;

    @BeforeEach
    void startBroker() throws Exception {
        broker = Mosquitto.start(dir);
    }

    @AfterEach
    void stopBroker() throws Exception {
        broker.close();
    }

    private FleetConfig.Builder fleet() {
        return FleetConfig.builder()
                .set("port", Integer.toString(broker.port()))
                .set("devices", "200")
                .set("ramp-up", "400/s")
                // A message count ends publishing, so devices that connect late on a loaded machine still
                // publish. The duration only caps the phase.
                .set("messages", "16")
                .set("duration", "30s")
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
        String table = ReportTable.format(report);
        assertThat(result.examples()).as(table).isEmpty();
        assertThat(result.totalLost()).as(table).isZero();
        assertThat(result.totalDuplicated()).as(table).isZero();
        assertThat(result.reordered()).as(table).isZero();
        assertThat(result.unexpected()).as(table).isZero();
        assertThat(report.exitCode()).as(table).isZero();
        assertThat(report.devicesConnected()).as(table).isEqualTo(200);
        assertThat(result.delivered()[0]).as(table).isPositive();
        assertThat(result.delivered()[1]).as(table).isPositive();
        assertThat(result.delivered()[2]).as(table).isPositive();
        assertThat(report.repliesReceived()).as(table).isPositive();
        return result;
    }

    @Test
    void pahoMqtt5PersistentFleetPasses() {
        RunReport report = Fleet.run(fleet()
                .set("session", "persistent")
                .set("churn-mode", "mixed")
                .set("subscribers", "2")
                .set("slow-subscribers", "50%")
                .set("slow-delay", "1ms")
                .build());

        VerificationResult result = assertPassed(report);
        assertThat(report.drops()).isPositive();
        assertThat(report.cleanDisconnects()).isPositive();
        assertThat(result.wills()).isEqualTo(2 * report.drops());
        assertThat(result.unexpectedWills()).isZero();
        assertThat(result.retainedChecked()).isEqualTo(200);
        assertThat(result.missingRetained()).isZero();
        assertThat(result.wrongRetained()).isZero();
    }

    @Test
    void pahoMqtt311CleanFleetPasses() {
        RunReport report = Fleet.run(fleet()
                .set("mqtt-version", "3.1.1")
                .set("session", "clean")
                .set("churn-mode", "drop")
                .build());

        VerificationResult result = assertPassed(report);
        assertThat(result.wills()).isEqualTo(report.drops());
        assertThat(result.retainedChecked()).isEqualTo(200);
        assertThat(result.wrongRetained()).isZero();
    }

    @Test
    void vertxFleetPasses() {
        RunReport report = Fleet.run(fleet()
                .set("engine", "vertx")
                .set("mqtt-version", "3.1.1")
                .set("churn-mode", "disconnect")
                .build());

        VerificationResult result = assertPassed(report);
        assertThat(report.cleanDisconnects()).isPositive();
        assertThat(result.unexpectedWills()).isZero();
        assertThat(result.retainedChecked()).isEqualTo(200);
        assertThat(result.wrongRetained()).isZero();
    }
}
