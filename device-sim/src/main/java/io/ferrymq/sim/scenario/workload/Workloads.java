package io.ferrymq.sim.scenario.workload;

import io.ferrymq.sim.config.ConfigException;
import io.ferrymq.sim.scenario.Workload;
import java.util.List;
import java.util.stream.Collectors;

/** The workloads a scenario file can name. */
public final class Workloads {
    private static final List<Workload> ALL = List.of(
            new TelemetryFleetWorkload(),
            new CommandAndControlWorkload(),
            new ChatOfflineDeliveryWorkload(),
            new RideDispatchWorkload(),
            new CollaborativeSessionWorkload(),
            new ExactlyOnceLedgerWorkload());

    private Workloads() {
    }

    public static List<Workload> all() {
        return ALL;
    }

    public static Workload byName(String name) {
        return ALL.stream().filter(workload -> workload.name().equals(name)).findFirst()
                .orElseThrow(() -> new ConfigException("Unknown workload '" + name + "'. Accepted workloads: "
                        + ALL.stream().map(Workload::name).collect(Collectors.joining(", ")) + "."));
    }
}
