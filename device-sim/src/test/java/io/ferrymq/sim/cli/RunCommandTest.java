package io.ferrymq.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.sim.DeviceSim;
import io.ferrymq.sim.testing.FaultyProxy;
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

@Timeout(60)
class RunCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

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
    void helpStatesUnitsAndDefaults() {
        int exitCode = execute("run", "--help");

        assertThat(exitCode).isZero();
        assertThat(stdout()).contains("--duration=DURATION", "Default: 30s.", "--engine=NAME",
                "MQTT 3.1.1 only", "--churn-rate=RATE", "Default: 0/s.", "--scenario=FILE");
    }

    @Test
    void invalidOptionValueExitsWith2() {
        int exitCode = execute("run", "--devices", "many");

        assertThat(exitCode).isEqualTo(2);
        assertThat(stderr()).contains("Invalid value 'many' for devices: expected a whole number from 1 to 1000000.");
    }

    @Test
    void unknownOptionExitsWith2() {
        int exitCode = execute("run", "--devises", "3");

        assertThat(exitCode).isEqualTo(2);
        assertThat(stderr()).contains("Unknown options: '--devises', '3'");
    }

    @Test
    void invalidScenarioExitsWith2(@TempDir Path dir) throws Exception {
        Path scenario = dir.resolve("bad.yaml");
        Files.writeString(scenario, "qos: 3\n");

        int exitCode = execute("run", "--scenario", scenario.toString());

        assertThat(exitCode).isEqualTo(2);
        assertThat(stderr()).contains("Invalid value '3' for qos");
    }

    @Test
    void unreachableBrokerExitsWith3() throws Exception {
        int port = Mosquitto.freePort();

        int exitCode = execute("run", "--port", Integer.toString(port), "--devices", "1");

        assertThat(exitCode).isEqualTo(3);
        assertThat(stderr()).contains("Cannot reach the MQTT broker at 127.0.0.1:" + port);
        assertThat(stderr()).doesNotContain("\tat ");
    }

    /**
     * The proxy drops the 3rd QoS 1 telemetry PUBLISH to the subscriber, repeats the 2nd QoS 0 one and swaps
     * the 5th and 6th QoS 0 ones. The verifier must report exactly one lost, one duplicated and one reordered
     * message.
     */
    @Test
    void faultyDeliveriesAreCountedExactly(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report.json");
        try (Mosquitto broker = Mosquitto.start(dir); FaultyProxy proxy = new FaultyProxy(broker.port(), 3, 2, 5)) {
            int exitCode = execute("run", "--port", Integer.toString(proxy.port()), "--devices", "1",
                    "--mqtt-version", "3.1.1", "--qos", "0:50,1:50", "--interval", "20ms", "--messages", "40",
                    "--duration", "0", "--retained-status", "false", "--drain", "2s",
                    "--report", report.toString());

            assertThat(exitCode).as(stdout()).isEqualTo(1);
        }
        JsonObject verification = new JsonObject(Files.readString(report)).getJsonObject("verification");
        String details = verification.encodePrettily();
        assertThat(verification.getLong("lost")).as(details).isEqualTo(1);
        assertThat(verification.getJsonArray("lostByQos")).as(details)
                .isEqualTo(new JsonArray().add(0).add(1).add(0));
        assertThat(verification.getLong("duplicated")).as(details).isEqualTo(1);
        assertThat(verification.getJsonArray("duplicatedByQos")).as(details)
                .isEqualTo(new JsonArray().add(1).add(0).add(0));
        assertThat(verification.getLong("reordered")).as(details).isEqualTo(1);
        assertThat(verification.getLong("unexpected")).as(details).isZero();
        assertThat(verification.getLong("violations")).as(details).isEqualTo(3);
        assertThat(stdout()).contains("verdict         FAIL: 3 broken promises");
    }
}
