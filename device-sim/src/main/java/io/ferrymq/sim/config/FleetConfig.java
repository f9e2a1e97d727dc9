package io.ferrymq.sim.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of one fleet run, grouped by concern. Build it with {@link #builder()}, which accepts the same keys
 * and values as the command line and scenario files.
 */
public record FleetConfig(
        Broker broker,
        Devices devices,
        Telemetry telemetry,
        Commands commands,
        Churn churn,
        Subscribers subscribers,
        Limits limits,
        boolean verify,
        Optional<Path> report,
        long seed) {

    public record Broker(String host, int port) {
    }

    public record Devices(Engine engine, MqttVersion mqttVersion, int count, String clientIdPattern, int groups,
                          SessionMode session, Duration sessionExpiry, Duration keepAlive, String username,
                          String password) {
    }

    public record Telemetry(Duration interval, Duration jitter, int payloadSize, String topicPattern, QosMix qos,
                            boolean retainedStatus, String statusTopicPattern) {
    }

    /** Operator commands; {@code rate} is commands per second across the fleet, 0 when off. */
    public record Commands(double rate, int qos, String topicPattern, String replyTopicPattern) {
        public boolean enabled() {
            return rate > 0;
        }
    }

    /** Devices going offline and back; {@code rate} is events per second across the fleet, 0 when off. */
    public record Churn(double rate, ChurnMode mode, Duration offlineTime) {
        public boolean enabled() {
            return rate > 0;
        }
    }

    public record Subscribers(int count, int qos, double slowShare, Duration slowDelay) {
        public int slowCount() {
            return (int) Math.round(count * slowShare);
        }
    }

    /** When publishing stops; {@code messagesPerDevice} 0 means only the duration limits it. */
    public record Limits(Duration duration, int messagesPerDevice, double rampUpRate, Duration drain) {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects raw values by field key, checks each as it arrives and the combination in {@link #build()}. */
    public static final class Builder {
        private final Map<Field, Object> values = new EnumMap<>(Field.class);

        private Builder() {
            for (Field field : Field.values()) {
                values.put(field, field.parse(field.defaultValue()));
            }
        }

        /** Sets a field by its key, for instance {@code set("devices", "200")}. */
        public Builder set(String key, String raw) {
            return set(Field.byKey(key), raw);
        }

        public Builder set(Field field, String raw) {
            values.put(field, field.parse(raw));
            return this;
        }

        public FleetConfig build() {
            FleetConfig config = new FleetConfig(
                    new Broker(text(Field.HOST), (int) values.get(Field.PORT)),
                    new Devices((Engine) values.get(Field.ENGINE), (MqttVersion) values.get(Field.MQTT_VERSION),
                            (int) values.get(Field.DEVICES), text(Field.CLIENT_ID), (int) values.get(Field.GROUPS),
                            (SessionMode) values.get(Field.SESSION), duration(Field.SESSION_EXPIRY),
                            duration(Field.KEEP_ALIVE), text(Field.USERNAME), text(Field.PASSWORD)),
                    new Telemetry(duration(Field.INTERVAL), duration(Field.JITTER),
                            (int) values.get(Field.PAYLOAD_SIZE), text(Field.TOPIC), (QosMix) values.get(Field.QOS),
                            (boolean) values.get(Field.RETAINED_STATUS), text(Field.STATUS_TOPIC)),
                    new Commands((double) values.get(Field.COMMAND_RATE), (int) values.get(Field.COMMAND_QOS),
                            text(Field.COMMAND_TOPIC), text(Field.REPLY_TOPIC)),
                    new Churn((double) values.get(Field.CHURN_RATE), (ChurnMode) values.get(Field.CHURN_MODE),
                            duration(Field.OFFLINE_TIME)),
                    new Subscribers((int) values.get(Field.SUBSCRIBERS), (int) values.get(Field.SUBSCRIBER_QOS),
                            (double) values.get(Field.SLOW_SUBSCRIBERS), duration(Field.SLOW_DELAY)),
                    new Limits(duration(Field.DURATION), (int) values.get(Field.MESSAGES),
                            (double) values.get(Field.RAMP_UP), duration(Field.DRAIN)),
                    (boolean) values.get(Field.VERIFY),
                    text(Field.REPORT).isEmpty() ? Optional.empty() : Optional.of(Path.of(text(Field.REPORT))),
                    (int) values.get(Field.SEED));
            ConfigChecks.check(config);
            return config;
        }

        private String text(Field field) {
            return (String) values.get(field);
        }

        private Duration duration(Field field) {
            return (Duration) values.get(field);
        }
    }
}
