package io.ferrymq.sim.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(5)
class FleetConfigTest {

    @Test
    void defaultsBuild() {
        FleetConfig config = FleetConfig.builder().build();

        assertThat(config.devices().count()).isEqualTo(10);
        assertThat(config.devices().mqttVersion()).isEqualTo(MqttVersion.V5);
        assertThat(config.limits().duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.telemetry().qos().toString()).isEqualTo("1");
    }

    @Test
    void valuesParseWithUnits() {
        FleetConfig config = FleetConfig.builder()
                .set("duration", "1.5m")
                .set("churn-rate", "120/m")
                .set("payload-size", "2KiB")
                .set("slow-subscribers", "50%")
                .set("subscribers", "4")
                .set("qos", "0:20,1:50,2:30")
                .build();

        assertThat(config.limits().duration()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.churn().rate()).isEqualTo(2.0);
        assertThat(config.telemetry().payloadSize()).isEqualTo(2048);
        assertThat(config.subscribers().slowCount()).isEqualTo(2);
        assertThat(config.telemetry().qos().weights()).containsExactly(20, 50, 30);
    }

    @Test
    void invalidCountNamesFieldAndRange() {
        assertThatThrownBy(() -> FleetConfig.builder().set("devices", "many"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value 'many' for devices: expected a whole number from 1 to 1000000.");
    }

    @Test
    void invalidQosMixNamesAcceptedForms() {
        assertThatThrownBy(() -> FleetConfig.builder().set("qos", "0:50,1:40"))
                .hasMessage("Invalid value '0:50,1:40' for qos: expected 0, 1, 2 or a mix of weights adding up "
                        + "to 100, such as 0:20,1:50,2:30.");
    }

    @Test
    void invalidChoiceListsValues() {
        assertThatThrownBy(() -> FleetConfig.builder().set("engine", "hivemq"))
                .hasMessage("Invalid value 'hivemq' for engine: expected one of paho, vertx.");
    }

    @Test
    void unknownFieldListsAcceptedFields() {
        assertThatThrownBy(() -> FleetConfig.builder().set("device", "3"))
                .hasMessageStartingWith("Unknown field 'device'. Accepted fields: host, port, engine,");
    }

    @Test
    void vertxWithMqtt5IsRejected() {
        assertThatThrownBy(() -> FleetConfig.builder().set("engine", "vertx").build())
                .hasMessage("Invalid value '5' for mqtt-version: the vertx engine supports only 3.1.1; use "
                        + "--engine paho for MQTT 5.");
    }

    @Test
    void vertxWithDropChurnIsRejected() {
        assertThatThrownBy(() -> FleetConfig.builder().set("engine", "vertx").set("mqtt-version", "3.1.1")
                .set("churn-rate", "1/s").build())
                .hasMessageStartingWith("Invalid value 'drop' for churn-mode: the vertx engine cannot close");
    }

    @Test
    void commandTopicWithoutDeviceIsRejected() {
        assertThatThrownBy(() -> FleetConfig.builder().set("command-topic", "fleet/cmd").build())
                .hasMessageStartingWith("Invalid value 'fleet/cmd' for command-topic: expected a pattern "
                        + "containing {device}");
    }

    @Test
    void wildcardTopicIsRejected() {
        assertThatThrownBy(() -> FleetConfig.builder().set("topic", "fleet/+/{device}"))
                .hasMessageStartingWith("Invalid value 'fleet/+/{device}' for topic: expected a topic name "
                        + "without the wildcards");
    }

    @Test
    void scenarioFileSetsFields(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("fleet.yaml");
        Files.writeString(file, "devices: 200\nmqtt-version: 3.1.1\nqos: 2\nretained-status: no\nduration: 45s\n");
        FleetConfig.Builder builder = FleetConfig.builder();

        ScenarioFile.apply(file, builder);
        FleetConfig config = builder.build();

        assertThat(config.devices().count()).isEqualTo(200);
        assertThat(config.devices().mqttVersion()).isEqualTo(MqttVersion.V3_1_1);
        assertThat(config.telemetry().qos().maxQos()).isEqualTo(2);
        assertThat(config.telemetry().retainedStatus()).isFalse();
        assertThat(config.limits().duration()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void scenarioWithBadValueNamesField(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "devices: 20\nchurn-mode: explode\n");

        assertThatThrownBy(() -> ScenarioFile.apply(file, FleetConfig.builder()))
                .hasMessage("Invalid value 'explode' for churn-mode: expected one of drop, disconnect, mixed.");
    }

    @Test
    void scenarioWithNestedMapIsRejected(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("nested.yaml");
        Files.writeString(file, "devices:\n  count: 20\n");

        assertThatThrownBy(() -> ScenarioFile.apply(file, FleetConfig.builder()))
                .hasMessage("Invalid value for devices in " + file + ": expected a single value, not a list or map.");
    }

    @Test
    void scenarioWithBrokenYamlIsReported(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "devices: [1, 2\n");

        assertThatThrownBy(() -> ScenarioFile.apply(file, FleetConfig.builder()))
                .hasMessageStartingWith("Invalid YAML in scenario " + file);
    }

    @Test
    void missingScenarioFileIsReported(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");

        assertThatThrownBy(() -> ScenarioFile.apply(file, FleetConfig.builder()))
                .hasMessage("Scenario file not found: " + file + ".");
    }
}
