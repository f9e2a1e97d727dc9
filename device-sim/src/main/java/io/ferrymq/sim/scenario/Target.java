package io.ferrymq.sim.scenario;

/**
 * A pass criterion of a scenario: the measured value of {@code metric} must not exceed {@code maximum}.
 * Every target is an upper bound, so "no loss" is {@code lost: 0} and "p99 under 50 ms" is
 * {@code latency-p99-ms: 50}.
 */
public record Target(String metric, double maximum) {

    /** Compares the measured value with the maximum; a metric the workload did not measure fails. */
    public TargetResult evaluate(Measurements measurements) {
        Double measured = measurements.values().get(metric);
        if (measured == null) {
            return new TargetResult(this, Double.NaN, false);
        }
        return new TargetResult(this, measured, measured <= maximum);
    }
}
