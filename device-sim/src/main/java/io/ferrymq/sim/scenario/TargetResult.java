package io.ferrymq.sim.scenario;

/** A target with the value the run measured; {@code measured} is NaN when the workload did not measure it. */
public record TargetResult(Target target, double measured, boolean passed) {
}
