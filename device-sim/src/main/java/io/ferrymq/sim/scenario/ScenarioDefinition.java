package io.ferrymq.sim.scenario;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A scenario file: which workload to run, its sizes and settings, and the targets a run must meet.
 *
 * @param name        file name without {@code .yaml}
 * @param size        counts that grow with the scale factor, as written in the file
 * @param settings    rates, durations and ranges, as written in the file
 */
public record ScenarioDefinition(String name, Path file, Workload workload, String description,
                                 Map<String, String> size, Map<String, String> settings, List<Target> targets) {

    public WorkloadSettings settings(double scale) {
        return new WorkloadSettings(size, settings, scale);
    }
}
