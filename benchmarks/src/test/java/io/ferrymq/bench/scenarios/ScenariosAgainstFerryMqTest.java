package io.ferrymq.bench.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrymq.broker.FerryBroker;
import io.ferrymq.broker.config.BrokerConfig;
import io.ferrymq.sim.scenario.ScenarioDefinition;
import io.ferrymq.sim.scenario.ScenarioLoader;
import io.ferrymq.sim.scenario.ScenarioResult;
import io.ferrymq.sim.scenario.ScenarioRunner;
import io.ferrymq.sim.scenario.ScenarioTable;
import io.ferrymq.sim.scenario.TargetResult;
import io.ferrymq.spi.Extension;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every device-sim scenario file against one FerryMQ broker with every extension that ServiceLoader
 * finds switched on, as {@code bin/ferrymq} does, and fails when a scenario misses one of its targets. Sizes are
 * scaled down so that all six fit a 2-core machine in about three minutes; the targets are the files'.
 *
 * <p>Delivery targets (lost, duplicated, reordered, outside the area, ...) are always enforced. Latency targets
 * are enforced while the system load average stays at or below the number of CPUs. A run that misses only
 * latency targets then runs once more, and the second run decides. On a machine loaded beyond its CPUs, a
 * latency miss is logged as a warning with the load average instead, because it then measures the wait for a
 * CPU more than the broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScenariosAgainstFerryMqTest {
    private static final Logger LOG = LoggerFactory.getLogger(ScenariosAgainstFerryMqTest.class);
    private static final Path SCENARIOS = Path.of("..", "device-sim", "scenarios");
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    @TempDir
    static Path dataDir;

    private FerryBroker broker;
    private final Set<String> extensions = new TreeSet<>();

    @BeforeAll
    void startBroker() {
        BrokerConfig.Builder config = BrokerConfig.builder().host("127.0.0.1").port(0).wsPort(-1).eventLoops(2)
                .dataDir(dataDir);
        for (Extension extension : ServiceLoader.load(Extension.class)) {
            Map<String, Object> section = new LinkedHashMap<>();
            section.put("enabled", true);
            if (extension.name().equals("metrics")) {
                section.put("port", 0);
            }
            config.extension(extension.name(), section);
            extensions.add(extension.name());
        }
        broker = FerryBroker.builder().config(config.build()).start();
    }

    @AfterAll
    void stopBroker() {
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    @Timeout(10)
    void defaultExtensionsAreInstalled() {
        assertThat(extensions).contains("persistence", "dedup", "metrics");
    }

    @ParameterizedTest(name = "{0} at scale {1}")
    @CsvSource({
        "telemetry-fleet, 0.25",
        "command-and-control, 0.3",
        "chat-offline-delivery, 0.5",
        "ride-dispatch, 0.25",
        "collaborative-session, 0.5",
        "exactly-once-ledger, 0.5",
    })
    @Timeout(240)
    void scenarioMeetsEveryTarget(String name, double scale) throws InterruptedException {
        Path file = SCENARIOS.resolve(name + ".yaml");
        assertThat(file).exists();
        ScenarioDefinition scenario = ScenarioLoader.load(file);

        ScenarioResult result = ScenarioRunner.run(scenario, "127.0.0.1", broker.port(), scale, 1);
        if (missedOnlyLatency(result) && !oversubscribed()) {
            // A build starting next to this test can stall its JVM for a few hundred milliseconds, which shows
            // only in latency percentiles. One repeat separates such a stall from a slow broker.
            result = ScenarioRunner.run(scenario, "127.0.0.1", broker.port(), scale, 2);
        }

        String report = ScenarioTable.format(result);
        boolean enforceLatency = !oversubscribed();
        assertThat(result.targets()).as(report).isNotEmpty();
        for (TargetResult target : result.targets()) {
            boolean latency = target.target().metric().startsWith("latency-");
            if (latency && !enforceLatency && !target.passed()) {
                LOG.warn("Scenario {}: {} measured {} above the target {}, not enforced because the load average "
                        + "{} exceeds the {} CPUs of this machine", name, target.target().metric(),
                        target.measured(), target.target().maximum(), loadAverage(), CPUS);
                continue;
            }
            assertThat(target.passed()).as(target.target().metric() + " measured " + target.measured()
                    + ", required at most " + target.target().maximum() + "\n" + report).isTrue();
        }
    }

    /**
     * Returns whether processes wait for a CPU: the load average exceeds the number of CPUs. Latency percentiles
     * then measure that wait more than the broker.
     */
    private static boolean oversubscribed() {
        return loadAverage() > CPUS;
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static boolean missedOnlyLatency(ScenarioResult result) {
        return !result.passed() && result.missed().stream()
                .allMatch(target -> target.target().metric().startsWith("latency-"));
    }

    @Test
    @Timeout(10)
    void everyScenarioFileIsCovered() throws Exception {
        try (var files = Files.list(SCENARIOS)) {
            assertThat(files.map(file -> file.getFileName().toString()).toList()).containsExactlyInAnyOrder(
                    "telemetry-fleet.yaml", "command-and-control.yaml", "chat-offline-delivery.yaml",
                    "ride-dispatch.yaml", "collaborative-session.yaml", "exactly-once-ledger.yaml");
        }
    }
}
