package io.ferrymq.sim.config;

/** Checks of field combinations that no single field can check alone. */
final class ConfigChecks {
    private ConfigChecks() {
    }

    static void check(FleetConfig config) {
        checkEngine(config);
        checkTopics(config);
        checkTimes(config);
    }

    private static void checkEngine(FleetConfig config) {
        if (config.devices().engine() != Engine.VERTX) {
            return;
        }
        if (config.devices().mqttVersion() != MqttVersion.V3_1_1) {
            throw new ConfigException("Invalid value '" + config.devices().mqttVersion() + "' for mqtt-version: "
                    + "the vertx engine supports only 3.1.1; use --engine paho for MQTT 5.");
        }
        if (config.churn().enabled() && config.churn().mode() != ChurnMode.DISCONNECT) {
            throw new ConfigException("Invalid value '" + config.churn().mode() + "' for churn-mode: the vertx "
                    + "engine cannot close a socket without DISCONNECT; use disconnect, or --engine paho.");
        }
    }

    private static void checkTopics(FleetConfig config) {
        FleetConfig.Telemetry telemetry = config.telemetry();
        FleetConfig.Commands commands = config.commands();
        requireDevice("command-topic", commands.topicPattern());
        requireDevice("topic", telemetry.topicPattern());
        requireDevice("status-topic", telemetry.statusTopicPattern());
        requireDevice("reply-topic", commands.replyTopicPattern());
        if (!config.devices().clientIdPattern().contains("{n}")) {
            throw new ConfigException("Invalid value '" + config.devices().clientIdPattern() + "' for client-id: "
                    + "expected a pattern containing {n}, such as device-{n}, so that every device has its own id.");
        }
        if (telemetry.topicPattern().equals(telemetry.statusTopicPattern())) {
            throw new ConfigException("Invalid value '" + telemetry.statusTopicPattern() + "' for status-topic: "
                    + "expected a pattern that differs from topic.");
        }
    }

    private static void requireDevice(String field, String pattern) {
        if (!pattern.contains("{device}")) {
            throw new ConfigException("Invalid value '" + pattern + "' for " + field
                    + ": expected a pattern containing {device}, such as fleet/{group}/{device}/...");
        }
    }

    private static void checkTimes(FleetConfig config) {
        if (config.telemetry().interval().isZero()) {
            throw new ConfigException("Invalid value '0' for interval: expected a duration above 0, such as 1s.");
        }
        if (config.limits().duration().isZero() && config.limits().messagesPerDevice() == 0) {
            throw new ConfigException("Invalid value '0' for duration: expected a duration above 0, or set "
                    + "messages to stop after a message count.");
        }
        long keepAliveSeconds = config.devices().keepAlive().toSeconds();
        if (keepAliveSeconds > 65_535) {
            throw new ConfigException("Invalid value '" + config.devices().keepAlive() + "' for keep-alive: "
                    + "expected at most 65535s.");
        }
    }
}
