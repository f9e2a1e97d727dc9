package io.ferrymq.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferrymq.sim.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class ScenarioLoaderTest {
    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path file = dir.resolve("test.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void everyShippedScenarioLoads() {
        List<Path> files = ScenarioLoader.all();

        assertThat(files).extracting(file -> file.getFileName().toString()).containsExactly(
                "chat-offline-delivery.yaml", "collaborative-session.yaml", "command-and-control.yaml",
                "exactly-once-ledger.yaml", "ride-dispatch.yaml", "telemetry-fleet.yaml");
        for (Path file : files) {
            ScenarioDefinition scenario = ScenarioLoader.load(file);
            assertThat(scenario.targets()).as(file.toString()).isNotEmpty();
            assertThat(scenario.workload().name()).isEqualTo(scenario.name());
        }
    }

    @Test
    void nameResolvesToScenarioFolder() {
        Path file = ScenarioLoader.resolve("ride-dispatch");

        assertThat(file.getFileName().toString()).isEqualTo("ride-dispatch.yaml");
        assertThat(file).exists();
    }

    @Test
    void unknownNameListsKnownNames() {
        assertThatThrownBy(() -> ScenarioLoader.resolve("rocket-launch")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("Scenario 'rocket-launch' not found").hasMessageContaining("ride-dispatch");
    }

    @Test
    void readsSizesSettingsAndTargets() throws IOException {
        Path file = write("""
                workload: ride-dispatch
                size:
                  areas: 4
                settings:
                  drivers-per-area: 2-3
                targets:
                  lost: 0
                  latency-p99-ms: 100
                """);

        ScenarioDefinition scenario = ScenarioLoader.load(file);

        assertThat(ScenarioLoader.isWorkloadScenario(file)).isTrue();
        assertThat(scenario.size()).containsEntry("areas", "4");
        assertThat(scenario.settings(1).range("drivers-per-area", "1").high()).isEqualTo(3);
        assertThat(scenario.targets()).containsExactly(new Target("lost", 0), new Target("latency-p99-ms", 100));
    }

    @Test
    void fleetScenarioIsNotWorkloadScenario() throws IOException {
        assertThat(ScenarioLoader.isWorkloadScenario(write("devices: 20\n"))).isFalse();
    }

    @Test
    void targetTheWorkloadDoesNotMeasureIsRejected() throws IOException {
        Path file = write("workload: ride-dispatch\ntargets:\n  wills: 0\n");

        assertThatThrownBy(() -> ScenarioLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("Unknown target 'wills'").hasMessageContaining("outside-area");
    }

    @Test
    void unknownWorkloadIsRejected() throws IOException {
        Path file = write("workload: rocket-launch\ntargets:\n  lost: 0\n");

        assertThatThrownBy(() -> ScenarioLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("Unknown workload 'rocket-launch'").hasMessageContaining("ride-dispatch");
    }

    @Test
    void scenarioWithoutTargetsIsRejected() throws IOException {
        Path file = write("workload: ride-dispatch\n");

        assertThatThrownBy(() -> ScenarioLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("has no targets");
    }

    @Test
    void nonNumericTargetIsRejected() throws IOException {
        Path file = write("workload: ride-dispatch\ntargets:\n  lost: none\n");

        assertThatThrownBy(() -> ScenarioLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("targets.lost");
    }

    @Test
    void unknownTopLevelKeyIsRejected() throws IOException {
        Path file = write("workload: ride-dispatch\nsizes:\n  areas: 2\ntargets:\n  lost: 0\n");

        assertThatThrownBy(() -> ScenarioLoader.load(file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("Unknown key 'sizes'");
    }
}
