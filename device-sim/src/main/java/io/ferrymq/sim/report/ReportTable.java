package io.ferrymq.sim.report;

import io.ferrymq.sim.config.FleetConfig;
import io.ferrymq.sim.verify.VerificationResult;
import java.util.Locale;

/** Formats a report as the readable table printed at the end of a run. */
public final class ReportTable {
    private ReportTable() {
    }

    public static String format(RunReport report) {
        StringBuilder out = new StringBuilder();
        FleetConfig config = report.config();
        line(out, "broker", config.broker().host() + ":" + config.broker().port() + "  engine "
                + config.devices().engine() + "  MQTT " + config.devices().mqttVersion() + "  sessions "
                + config.devices().session() + "  telemetry QoS " + config.telemetry().qos());
        line(out, "time", fmt("%.1f s publishing, %.1f s in all", report.publishSeconds(), report.totalSeconds()));
        line(out, "devices", fmt("%d connected of %d, %d connect failures", report.devicesConnected(),
                config.devices().count(), report.connectFailures()));
        line(out, "connect rate", fmt("%.0f connections/s", report.connectRate()));
        line(out, "churn", fmt("%d drops, %d clean disconnects, %d reconnects, %d connections lost",
                report.drops(), report.cleanDisconnects(), report.reconnects(), report.connectionsLost()));
        line(out, "published", fmt("%d messages (%.0f msg/s), %d acknowledged, %d failed", report.published(),
                report.publishRate(), report.acknowledged(), report.publishFailures()));
        line(out, "delivered", fmt("%d messages (%.0f msg/s)", report.delivered(), report.deliveryRate()));
        latency(out, "latency", report.latency());
        latency(out, "steady latency", report.steadyLatency());
        if (config.commands().enabled()) {
            line(out, "commands", fmt("%d sent, %d replies", report.commandsSent(), report.repliesReceived()));
            latency(out, "command rtt", report.commandRoundTrip());
        }
        latency(out, "connect time", report.connectTime());
        latency(out, "reconnect time", report.reconnectTime());
        report.verification().ifPresentOrElse(result -> verification(out, result),
                () -> line(out, "verification", "off"));
        return out.toString();
    }

    private static void verification(StringBuilder out, VerificationResult result) {
        long[] published = result.published();
        long[] delivered = result.delivered();
        line(out, "by QoS", fmt("published %d / %d / %d, delivered %d / %d / %d (QoS 0 / 1 / 2)",
                published[0], published[1], published[2], delivered[0], delivered[1], delivered[2]));
        line(out, "lost", fmt("%d (QoS 1: %d, QoS 2: %d)", result.totalLost(), result.lost()[1],
                result.lost()[2]));
        line(out, "duplicated", fmt("%d (QoS 0: %d, QoS 2: %d); QoS 1 redeliveries allowed: %d",
                result.totalDuplicated(), result.duplicated()[0], result.duplicated()[2], result.redelivered()));
        line(out, "reordered", Long.toString(result.reordered()));
        line(out, "unexpected", Long.toString(result.unexpected()));
        line(out, "wills", fmt("%d delivered, %d missing, %d unexpected", result.wills(), result.missingWills(),
                result.unexpectedWills()));
        line(out, "retained", fmt("%d checked, %d missing, %d wrong", result.retainedChecked(),
                result.missingRetained(), result.wrongRetained()));
        line(out, "not owed", fmt("%d QoS 0 not delivered, %d unconfirmed publishes, %d abandoned by ended "
                + "sessions", result.notDeliveredQos0(), result.unconfirmed(), result.abandoned()));
        for (String example : result.examples()) {
            line(out, "", example);
        }
        line(out, "verdict", result.passed() ? "PASS: every delivery kept its QoS promise"
                : "FAIL: " + result.violations() + " broken promises");
    }

    private static void latency(StringBuilder out, String label, LatencySummary summary) {
        if (summary.count() == 0) {
            return;
        }
        line(out, label, fmt("p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms (%d samples)", summary.p50(),
                summary.p90(), summary.p99(), summary.p999(), summary.max(), summary.count()));
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append(String.format(Locale.ROOT, "%-15s %s%n", label, value));
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
