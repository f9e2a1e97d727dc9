package io.ferrymq.sim.scenario;

import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a scenario's workload against a broker and judges its targets. */
public final class ScenarioRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ScenarioRunner.class);

    private ScenarioRunner() {
    }

    /**
     * Runs the scenario and returns its result; blocks for the run.
     *
     * @param scale factor applied to every size of the file, 1 for the sizes as written
     */
    public static ScenarioResult run(ScenarioDefinition scenario, String host, int port, double scale, long seed)
            throws InterruptedException {
        WorkloadSettings settings = scenario.settings(scale);
        String runId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
        LOG.info("Running scenario {} (workload {}, scale {}) against {}:{}", scenario.name(),
                scenario.workload().name(), scale, host, port);
        long start = System.nanoTime();
        Measurements measurements;
        try (WorkloadContext context = new WorkloadContext(host, port, settings, seed, runId)) {
            measurements = scenario.workload().run(context);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<TargetResult> targets = scenario.targets().stream().map(target -> target.evaluate(measurements))
                .toList();
        return new ScenarioResult(scenario, host + ":" + port, scale, sizeSummary(scenario, settings), seconds,
                measurements, targets);
    }

    /** The file's sizes after scaling, such as {@code devices 2000}. */
    private static String sizeSummary(ScenarioDefinition scenario, WorkloadSettings settings) {
        return scenario.size().keySet().stream()
                .map(key -> key + " " + settings.size(key, 1, 1))
                .collect(Collectors.joining(", "));
    }
}
