package io.ferrymq.sim.fleet;

import io.ferrymq.sim.client.BrokerUnreachableException;
import io.ferrymq.sim.config.FleetConfig;
import io.ferrymq.sim.report.RunReport;
import java.util.function.Consumer;

/**
 * Entry point to run a fleet from code, for example from a broker's integration test:
 * <pre>{@code
 * FleetConfig config = FleetConfig.builder().set("port", "1883").set("devices", "200").build();
 * RunReport report = Fleet.run(config);
 * assertThat(report.exitCode()).isZero();
 * }</pre>
 */
public final class Fleet {
    private Fleet() {
    }

    /**
     * Runs the fleet to the end and returns its report; blocks for the duration plus the drain.
     *
     * @throws BrokerUnreachableException if the first client cannot open a connection
     * @throws FleetException             if the broker rejects the simulator's own clients
     */
    public static RunReport run(FleetConfig config) {
        return run(config, progress -> { });
    }

    /** Runs the fleet and calls {@code progress} about once a second from a scheduler thread. */
    public static RunReport run(FleetConfig config, Consumer<Progress> progress) {
        return new FleetRun(config, progress).execute();
    }
}
