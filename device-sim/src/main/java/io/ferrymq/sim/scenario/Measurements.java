package io.ferrymq.sim.scenario;

import io.ferrymq.sim.report.LatencySummary;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Figures of one workload run by metric name, in the order the workload added them. Every workload adds
 * {@link #LATENCY_P50}, {@link #LATENCY_P99}, {@link #LATENCY_MAX} for the latency its targets bound,
 * {@link #LOST} and {@link #DUPLICATED}, so that runs of different scenarios line up in one table.
 */
public final class Measurements {
    public static final String LATENCY_P50 = "latency-p50-ms";
    public static final String LATENCY_P99 = "latency-p99-ms";
    public static final String LATENCY_MAX = "latency-max-ms";
    public static final String LOST = "lost";
    public static final String DUPLICATED = "duplicated";

    private final Map<String, Double> values = new LinkedHashMap<>();
    private final Map<String, String> descriptions = new LinkedHashMap<>();

    /** Adds a figure with a short description of what it counts or times. */
    public Measurements put(String metric, double value, String description) {
        values.put(metric, value);
        descriptions.put(metric, description);
        return this;
    }

    /** Adds p50, p99 and max of a histogram of microseconds as the headline latency, in milliseconds. */
    public Measurements latency(Histogram micros, String description) {
        LatencySummary summary = LatencySummary.of(micros);
        put(LATENCY_P50, summary.p50(), description + ", median");
        put(LATENCY_P99, summary.p99(), description + ", 99th percentile");
        put(LATENCY_MAX, summary.max(), description + ", maximum");
        return put("latency-samples", summary.count(), "messages timed");
    }

    public Map<String, Double> values() {
        return values;
    }

    public String description(String metric) {
        return descriptions.getOrDefault(metric, "");
    }

    public double get(String metric) {
        return values.getOrDefault(metric, Double.NaN);
    }
}
