package io.ferrymq.sim.scenario;

/**
 * One kind of application traffic that a scenario file names with its {@code workload} key. A workload
 * connects its own clients, drives them, and measures what its targets need.
 */
public interface Workload {

    /** The name a scenario file uses, such as {@code ride-dispatch}. */
    String name();

    /** The metrics this workload measures, each of which a target may bound. */
    java.util.List<String> metrics();

    /**
     * Runs the workload to its end and returns what it measured. Blocks for about the scenario's duration.
     *
     * @throws io.ferrymq.sim.client.BrokerUnreachableException if the broker cannot be reached
     */
    Measurements run(WorkloadContext context) throws InterruptedException;
}
