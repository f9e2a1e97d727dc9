package io.ferrymq.sim.report;

import io.ferrymq.sim.config.FleetConfig;
import io.ferrymq.sim.verify.VerificationResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes every figure of a report as JSON; times are in milliseconds, rates per second. */
public final class JsonReport {
    private JsonReport() {
    }

    public static void write(RunReport report, Path file) throws IOException {
        Files.writeString(file, toJson(report).encodePrettily() + "\n", StandardCharsets.UTF_8);
    }

    public static JsonObject toJson(RunReport report) {
        FleetConfig config = report.config();
        JsonObject json = new JsonObject()
                .put("broker", config.broker().host() + ":" + config.broker().port())
                .put("engine", config.devices().engine().toString())
                .put("mqttVersion", config.devices().mqttVersion().toString())
                .put("devices", config.devices().count())
                .put("publishSeconds", report.publishSeconds())
                .put("totalSeconds", report.totalSeconds())
                .put("connections", new JsonObject()
                        .put("devicesConnected", report.devicesConnected())
                        .put("connects", report.connects())
                        .put("connectFailures", report.connectFailures())
                        .put("connectRate", report.connectRate())
                        .put("reconnects", report.reconnects())
                        .put("connectionsLost", report.connectionsLost())
                        .put("drops", report.drops())
                        .put("cleanDisconnects", report.cleanDisconnects()))
                .put("messages", new JsonObject()
                        .put("published", report.published())
                        .put("acknowledged", report.acknowledged())
                        .put("publishFailures", report.publishFailures())
                        .put("delivered", report.delivered())
                        .put("publishRate", report.publishRate())
                        .put("deliveryRate", report.deliveryRate())
                        .put("commandsSent", report.commandsSent())
                        .put("repliesReceived", report.repliesReceived()))
                .put("latencyMillis", latency(report.latency()))
                .put("steadyLatencyMillis", latency(report.steadyLatency()))
                .put("commandRoundTripMillis", latency(report.commandRoundTrip()))
                .put("connectTimeMillis", latency(report.connectTime()))
                .put("reconnectTimeMillis", latency(report.reconnectTime()));
        report.verification().ifPresent(result -> json.put("verification", verification(result)));
        json.put("exitCode", report.exitCode());
        return json;
    }

    private static JsonObject latency(LatencySummary summary) {
        return new JsonObject()
                .put("count", summary.count())
                .put("p50", summary.p50())
                .put("p90", summary.p90())
                .put("p99", summary.p99())
                .put("p99_9", summary.p999())
                .put("max", summary.max())
                .put("mean", summary.mean());
    }

    private static JsonObject verification(VerificationResult result) {
        return new JsonObject()
                .put("passed", result.passed())
                .put("violations", result.violations())
                .put("publishedByQos", byQos(result.published()))
                .put("deliveredByQos", byQos(result.delivered()))
                .put("lost", result.totalLost())
                .put("lostByQos", byQos(result.lost()))
                .put("duplicated", result.totalDuplicated())
                .put("duplicatedByQos", byQos(result.duplicated()))
                .put("redeliveredQos1", result.redelivered())
                .put("reordered", result.reordered())
                .put("unexpected", result.unexpected())
                .put("notDeliveredQos0", result.notDeliveredQos0())
                .put("unconfirmed", result.unconfirmed())
                .put("abandoned", result.abandoned())
                .put("willsDelivered", result.wills())
                .put("missingWills", result.missingWills())
                .put("unexpectedWills", result.unexpectedWills())
                .put("retainedChecked", result.retainedChecked())
                .put("missingRetained", result.missingRetained())
                .put("wrongRetained", result.wrongRetained())
                .put("examples", new JsonArray(result.examples().stream().map(Object.class::cast).toList()));
    }

    private static JsonArray byQos(long[] values) {
        return new JsonArray().add(values[0]).add(values[1]).add(values[2]);
    }
}
