package io.ferrymq.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.sim.DeviceSim;
import io.ferrymq.sim.testing.Mosquitto;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workload scenarios from the command line against mosquitto, which has no dedup: the ledger's QoS 1 half must
 * show duplicates there and fail its target, and a ride request must reach exactly the drivers of its area.
 */
@Timeout(90)
class ScenarioCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    private int execute(String... args) {
        return DeviceSim.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void ledgerWithoutDedupMissesDuplicateTarget() throws Exception {
        Path scenario = dir.resolve("ledger.yaml");
        Files.writeString(scenario, """
                workload: exactly-once-ledger
                size:
                  publishers: 2
                  transactions-per-publisher: 150
                settings:
                  transaction-rate: 100/s
                  cut-share: 20%
                  drain: 10s
                targets:
                  lost: 0
                  duplicated: 0
                """);
        Path report = dir.resolve("report.json");
        try (Mosquitto broker = Mosquitto.start(dir)) {
            int exitCode = execute("run", "--scenario", scenario.toString(), "--port",
                    Integer.toString(broker.port()), "--report", report.toString());

            assertThat(exitCode).as(stdout() + stderr()).isEqualTo(RunCommand.PROMISE_BROKEN);
        }
        assertThat(stdout()).contains("FAIL: 1 of 2 targets missed");
        JsonObject result = new JsonArray(Files.readString(report)).getJsonObject(0);
        JsonObject measured = result.getJsonObject("measurements");
        assertThat(measured.getDouble("lost")).isZero();
        assertThat(measured.getDouble("qos2-duplicated")).isZero();
        assertThat(measured.getDouble("qos1-duplicated")).isPositive();
        assertThat(measured.getDouble("in-doubt")).isPositive();
        assertThat(result.getBoolean("passed")).isFalse();
    }

    @Test
    void rideDispatchByNameReachesOnlyItsArea() throws Exception {
        Path report = dir.resolve("report.json");
        int exitCode;
        try (Mosquitto broker = Mosquitto.start(dir)) {
            exitCode = execute("run", "--scenario", "ride-dispatch", "--scale", "0.1", "--port",
                    Integer.toString(broker.port()), "--report", report.toString());
        }

        // The latency target may miss on a loaded machine, so only the delivery figures are asserted here.
        assertThat(exitCode).as(stdout() + stderr()).isIn(RunCommand.PASSED, RunCommand.PROMISE_BROKEN);
        assertThat(stdout()).contains("size                   areas 2, requests 60", "outside-area",
                "required <= 100");
        JsonObject measured = new JsonArray(Files.readString(report)).getJsonObject(0).getJsonObject("measurements");
        assertThat(measured.getDouble("requests")).isEqualTo(60);
        assertThat(measured.getDouble("lost")).isZero();
        assertThat(measured.getDouble("outside-area")).isZero();
        assertThat(measured.getDouble("deliveries")).isGreaterThanOrEqualTo(60 * 15);
        assertThat(measured.getDouble("assigned")).isPositive();
        assertThat(measured.getDouble("requests-unassigned")).isZero();
    }

    @Test
    void fleetOptionWithWorkloadScenarioExitsWith2() {
        int exitCode = execute("run", "--scenario", "ride-dispatch", "--devices", "20");

        assertThat(exitCode).isEqualTo(RunCommand.INVALID_INPUT);
        assertThat(stderr()).contains("Option --devices does not apply to workload scenarios");
    }

    @Test
    void invalidScaleExitsWith2() {
        int exitCode = execute("run", "--scenario", "ride-dispatch", "--scale", "0");

        assertThat(exitCode).isEqualTo(RunCommand.INVALID_INPUT);
        assertThat(stderr()).contains("Invalid value '0' for scale");
    }

    @Test
    void unreachableBrokerExitsWith3() throws Exception {
        int exitCode = execute("run", "--scenario", "ride-dispatch", "--scale", "0.1", "--port",
                Integer.toString(Mosquitto.freePort()));

        assertThat(exitCode).isEqualTo(RunCommand.RUN_FAILED);
    }
}
