package io.ferrymq.sim.scenario;

import java.util.List;
import java.util.stream.Collectors;

/** One finished scenario run: what it measured and how each target fared. */
public record ScenarioResult(ScenarioDefinition scenario, String broker, double scale, String size,
                             double seconds, Measurements measurements, List<TargetResult> targets) {

    public boolean passed() {
        return targets.stream().allMatch(TargetResult::passed);
    }

    /** Targets as {@code metric <= maximum}, joined by commas. */
    public String targetSummary() {
        return targets.stream()
                .map(result -> result.target().metric() + " <= " + ScenarioTable.number(result.target().maximum()))
                .collect(Collectors.joining(", "));
    }

    public List<TargetResult> missed() {
        return targets.stream().filter(result -> !result.passed()).toList();
    }
}
