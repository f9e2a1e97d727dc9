package io.ferrymq.sim.scenario.workload;

import io.ferrymq.sim.config.FleetConfig;
import io.ferrymq.sim.fleet.Fleet;
import io.ferrymq.sim.report.LatencySummary;
import io.ferrymq.sim.report.RunReport;
import io.ferrymq.sim.scenario.Measurements;
import io.ferrymq.sim.scenario.Workload;
import io.ferrymq.sim.scenario.WorkloadContext;
import io.ferrymq.sim.scenario.WorkloadSettings;
import io.ferrymq.sim.verify.VerificationResult;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Devices that publish readings at QoS 0 and 1 and keep a retained status, a share of them going offline and
 * back, watched by a dashboard that subscribes with wildcards. Runs the simulator's fleet model on the Vert.x
 * engine (MQTT 3.1.1), which runs thousands of devices on one event loop. Devices leave with DISCONNECT.
 */
final class TelemetryFleetWorkload implements Workload {

    @Override
    public String name() {
        return "telemetry-fleet";
    }

    @Override
    public List<String> metrics() {
        return List.of(Measurements.LATENCY_P50, Measurements.LATENCY_P99, Measurements.LATENCY_MAX,
                Measurements.LOST, "qos1-lost", Measurements.DUPLICATED, "reordered", "unexpected",
                "retained-wrong", "devices-not-connected");
    }

    @Override
    public Measurements run(WorkloadContext context) {
        WorkloadSettings settings = context.settings();
        int devices = settings.size("devices", 2000, 1);
        Duration duration = settings.duration("duration", "30s");
        double churnShare = settings.fraction("churn-share", "5%");
        double churnRate = devices * churnShare / Math.max(1, duration.toSeconds());
        FleetConfig config = FleetConfig.builder()
                .set("host", context.host())
                .set("port", Integer.toString(context.port()))
                .set("engine", settings.text("engine", "vertx"))
                .set("mqtt-version", settings.text("mqtt-version", "3.1.1"))
                .set("devices", Integer.toString(devices))
                .set("client-id", "telemetry-" + context.runId() + "-{n}")
                .set("topic", "fleet/" + context.runId() + "/{group}/{device}/telemetry")
                .set("status-topic", "fleet/" + context.runId() + "/{group}/{device}/status")
                .set("groups", Integer.toString(settings.integer("groups", 20, 1, 100_000)))
                .set("interval", settings.text("interval", "1s"))
                .set("jitter", settings.text("jitter", "4s"))
                .set("qos", settings.text("qos", "0:50,1:50"))
                .set("subscriber-qos", "1")
                .set("churn-rate", String.format(Locale.ROOT, "%.3f/s", churnRate))
                .set("churn-mode", "disconnect")
                .set("offline-time", settings.text("offline-time", "3s"))
                .set("ramp-up", settings.text("ramp-up", "500/s"))
                .set("duration", duration.toMillis() + "ms")
                .set("drain", settings.text("drain", "15s"))
                .set("seed", Long.toString(context.random().nextInt(Integer.MAX_VALUE)))
                .build();
        RunReport report = Fleet.run(config);
        return measurements(report, devices);
    }

    private static Measurements measurements(RunReport report, int devices) {
        VerificationResult result = report.verification().orElseThrow();
        LatencySummary latency = report.steadyLatency();
        Measurements measurements = new Measurements()
                .put(Measurements.LATENCY_P50, latency.p50(), "publish to dashboard delivery once all are connected, median")
                .put(Measurements.LATENCY_P99, latency.p99(), "publish to dashboard delivery once all are connected, "
                        + "99th percentile")
                .put(Measurements.LATENCY_MAX, latency.max(), "publish to dashboard delivery once all are connected, "
                        + "maximum")
                .put("latency-samples", latency.count(), "deliveries timed once all devices were connected")
                .put("ramp-up-latency-p99-ms", report.latency().p99(),
                        "publish to dashboard delivery including the connect storm, 99th percentile")
                .put("published", report.published(), "telemetry and status messages published")
                .put("delivered", report.delivered(), "messages the dashboard received")
                .put(Measurements.LOST, result.totalLost(), "acknowledged QoS 1 or 2 messages never delivered")
                .put("qos1-lost", result.lost()[1], "acknowledged QoS 1 messages never delivered")
                .put(Measurements.DUPLICATED, result.totalDuplicated(), "QoS 0 or 2 messages delivered twice")
                .put("reordered", result.reordered(), "messages delivered after a later one of the same device")
                .put("unexpected", result.unexpected(), "deliveries nobody published or sent to the wrong client")
                .put("retained-wrong", result.missingRetained() + result.wrongRetained(),
                        "status topics whose retained message is missing or not the last one set")
                .put("churn-events", report.drops() + report.cleanDisconnects(), "devices taken offline")
                .put("devices-not-connected", devices - report.devicesConnected(),
                        "devices that never connected");
        return measurements;
    }
}
