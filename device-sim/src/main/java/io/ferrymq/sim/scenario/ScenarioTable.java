package io.ferrymq.sim.scenario;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Formats scenario results: a readable report per run, a Markdown summary of several, and JSON. */
public final class ScenarioTable {
    private ScenarioTable() {
    }

    public static String format(ScenarioResult result) {
        StringBuilder out = new StringBuilder();
        line(out, "scenario", result.scenario().name() + " (workload " + result.scenario().workload().name()
                + ", scale " + number(result.scale()) + ")");
        line(out, "broker", result.broker());
        line(out, "size", result.size());
        line(out, "time", String.format(Locale.ROOT, "%.1f s", result.seconds()));
        Measurements measurements = result.measurements();
        for (Map.Entry<String, Double> entry : measurements.values().entrySet()) {
            line(out, entry.getKey(), number(entry.getValue()) + "  " + measurements.description(entry.getKey()));
        }
        out.append("targets\n");
        for (TargetResult target : result.targets()) {
            out.append(String.format(Locale.ROOT, "  %-28s measured %-10s required <= %-8s %s%n",
                    target.target().metric(), number(target.measured()), number(target.target().maximum()),
                    target.passed() ? "PASS" : "FAIL"));
        }
        int missed = result.missed().size();
        line(out, "verdict", missed == 0 ? "PASS: all " + result.targets().size() + " targets met"
                : "FAIL: " + missed + " of " + result.targets().size() + " targets missed");
        return out.toString();
    }

    /** A Markdown table with one row per scenario, as on the benchmarks page. */
    public static String summary(List<ScenarioResult> results) {
        StringBuilder out = new StringBuilder();
        out.append("| scenario | size | targets | p50 ms | p99 ms | max ms | lost | duplicated | verdict |\n");
        out.append("|---|---|---|---:|---:|---:|---:|---:|---|\n");
        for (ScenarioResult result : results) {
            Measurements m = result.measurements();
            out.append("| ").append(result.scenario().name())
                    .append(" | ").append(result.size())
                    .append(" | ").append(result.targetSummary())
                    .append(" | ").append(number(m.get(Measurements.LATENCY_P50)))
                    .append(" | ").append(number(m.get(Measurements.LATENCY_P99)))
                    .append(" | ").append(number(m.get(Measurements.LATENCY_MAX)))
                    .append(" | ").append(number(m.get(Measurements.LOST)))
                    .append(" | ").append(number(m.get(Measurements.DUPLICATED)))
                    .append(" | ").append(result.passed() ? "PASS" : "FAIL: " + missedSummary(result))
                    .append(" |\n");
        }
        return out.toString();
    }

    private static String missedSummary(ScenarioResult result) {
        return String.join(", ", result.missed().stream()
                .map(target -> target.target().metric() + " " + number(target.measured())).toList());
    }

    public static JsonObject toJson(ScenarioResult result) {
        JsonObject measured = new JsonObject();
        result.measurements().values().forEach(measured::put);
        JsonArray targets = new JsonArray();
        for (TargetResult target : result.targets()) {
            targets.add(new JsonObject()
                    .put("metric", target.target().metric())
                    .put("maximum", target.target().maximum())
                    .put("measured", Double.isNaN(target.measured()) ? null : target.measured())
                    .put("passed", target.passed()));
        }
        return new JsonObject()
                .put("scenario", result.scenario().name())
                .put("workload", result.scenario().workload().name())
                .put("broker", result.broker())
                .put("scale", result.scale())
                .put("size", result.size())
                .put("seconds", result.seconds())
                .put("measurements", measured)
                .put("targets", targets)
                .put("passed", result.passed());
    }

    /** Whole numbers without decimals, others with two; NaN as "not measured". */
    static String number(double value) {
        if (Double.isNaN(value)) {
            return "not measured";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append(String.format(Locale.ROOT, "%-22s %s%n", label, value));
    }
}
