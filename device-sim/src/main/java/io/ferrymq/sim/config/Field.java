package io.ferrymq.sim.config;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * Every setting of a fleet run. The command line offers each as {@code --name} and a scenario file as the
 * key {@code name}, so both accept the same values and report the same errors.
 */
public enum Field {
    HOST("host", "HOST", "127.0.0.1", "Broker host name or address.", Values::text),
    PORT("port", "PORT", "1883", "Broker TCP port.", (f, v) -> Values.count(f, v, 1, 65535)),
    ENGINE("engine", "NAME", "paho",
            "Client library of the devices: paho (threads per client; MQTT 3.1.1 and 5; drop, disconnect and "
                    + "mixed churn; up to about 1,000 devices) or vertx (shared event loop; MQTT 3.1.1 only; "
                    + "disconnect churn only; 10,000 devices and more).",
            (f, v) -> Values.choice(f, v, Engine.class)),
    MQTT_VERSION("mqtt-version", "VERSION", "5", "MQTT protocol version: 3.1.1 or 5.",
            (f, v) -> Values.choice(f, v, MqttVersion.class)),
    DEVICES("devices", "N", "10", "Number of simulated devices.", (f, v) -> Values.count(f, v, 1, 1_000_000)),
    CLIENT_ID("client-id", "PATTERN", "device-{n}",
            "Client identifier of each device; {n} is the device number from 1, {group} its group.",
            Values::text),
    GROUPS("groups", "N", "4", "Number of device groups, the {group} part of topics (g0, g1, ...).",
            (f, v) -> Values.count(f, v, 1, 100_000)),
    SESSION("session", "MODE", "clean",
            "Device sessions: clean, or persistent (clean session 0 on 3.1.1, session expiry on 5).",
            (f, v) -> Values.choice(f, v, SessionMode.class)),
    SESSION_EXPIRY("session-expiry", "DURATION", "5m",
            "MQTT 5 session expiry interval of persistent sessions.", Values::duration),
    KEEP_ALIVE("keep-alive", "DURATION", "30s", "Keep-alive interval of every client, in whole seconds.",
            Values::duration),
    USERNAME("username", "NAME", "", "User name sent in CONNECT; empty sends none.", (f, v) -> v),
    PASSWORD("password", "TEXT", "", "Password sent in CONNECT; empty sends none.", (f, v) -> v),
    INTERVAL("interval", "DURATION", "1s", "Telemetry publish interval of each device.", Values::duration),
    JITTER("jitter", "DURATION", "0ms",
            "Random extra delay from 0 up to this added to each publish interval.", Values::duration),
    PAYLOAD_SIZE("payload-size", "BYTES", "64",
            "Telemetry payload size; payloads are never smaller than their header of about 30 bytes.",
            (f, v) -> Values.bytes(f, v, 256 * 1024 * 1024)),
    TOPIC("topic", "PATTERN", "fleet/{group}/{device}/telemetry",
            "Telemetry topic of each device; {device} is its client identifier, {group} its group.",
            Values::topicPattern),
    QOS("qos", "QOS", "1", "Telemetry QoS: 0, 1, 2, or a mix of weights in percent such as 0:20,1:50,2:30.",
            Values::qosMix),
    RETAINED_STATUS("retained-status", "BOOL", "true",
            "Devices publish a retained online/offline status and set a retained will on the status topic.",
            Values::bool),
    STATUS_TOPIC("status-topic", "PATTERN", "fleet/{group}/{device}/status",
            "Status and will topic of each device.", Values::topicPattern),
    COMMAND_RATE("command-rate", "RATE", "0/s",
            "Commands the operator sends per second across the fleet; 0 turns commands off.", Values::rate),
    COMMAND_QOS("command-qos", "QOS", "1", "QoS of commands and replies: 0, 1 or 2.", Values::qos),
    COMMAND_TOPIC("command-topic", "PATTERN", "fleet/{group}/{device}/cmd",
            "Topic each device receives commands on; must contain {device}.", Values::topicPattern),
    REPLY_TOPIC("reply-topic", "PATTERN", "fleet/{group}/{device}/reply",
            "Topic devices reply on; sent as the response topic on MQTT 5.", Values::topicPattern),
    CHURN_RATE("churn-rate", "RATE", "0/s",
            "Devices taken offline per second across the fleet; 0 turns churn off.", Values::rate),
    CHURN_MODE("churn-mode", "MODE", "drop",
            "How devices go offline: drop (socket close, the will fires), disconnect (DISCONNECT, no will) "
                    + "or mixed.",
            (f, v) -> Values.choice(f, v, ChurnMode.class)),
    OFFLINE_TIME("offline-time", "DURATION", "2s", "Time a churned device stays offline before it reconnects.",
            Values::duration),
    SUBSCRIBERS("subscribers", "N", "1",
            "Subscribers that receive all telemetry and status messages and verify them.",
            (f, v) -> Values.count(f, v, 1, 1000)),
    SUBSCRIBER_QOS("subscriber-qos", "QOS", "2",
            "QoS of the subscribers' subscriptions; deliveries get the lower of it and the published QoS.",
            Values::qos),
    SLOW_SUBSCRIBERS("slow-subscribers", "SHARE", "0",
            "Share of subscribers that process slowly, such as 0.5 or 50%.", Values::fraction),
    SLOW_DELAY("slow-delay", "DURATION", "10ms", "Processing time of a slow subscriber per message.",
            Values::duration),
    DURATION("duration", "DURATION", "30s", "Time devices publish, counted from the first connect.",
            Values::duration),
    MESSAGES("messages", "N", "0", "Telemetry messages per device before it stops; 0 means no limit.",
            (f, v) -> Values.count(f, v, 0, Integer.MAX_VALUE)),
    RAMP_UP("ramp-up", "RATE", "500/s", "Device connects started per second; 0 starts all at once.",
            Values::rate),
    DRAIN("drain", "DURATION", "10s",
            "Maximum wait after publishing stops for outstanding deliveries before messages count as lost.",
            Values::duration),
    VERIFY("verify", "BOOL", "true",
            "Check every delivery against its QoS contract and exit with 1 when one is broken.", Values::bool),
    REPORT("report", "FILE", "", "Write every figure of the run as JSON to this file; empty writes none.",
            (f, v) -> v.isBlank() ? "" : Path.of(v).toString()),
    SEED("seed", "N", "1", "Seed of the random choices (jitter, QoS mix, churn and command targets).",
            (f, v) -> Values.count(f, v, 0, Integer.MAX_VALUE));

    private final String key;
    private final String label;
    private final String defaultValue;
    private final String description;
    private final BiFunction<String, String, Object> parser;

    Field(String key, String label, String defaultValue, String description,
          BiFunction<String, String, Object> parser) {
        this.key = key;
        this.label = label;
        this.defaultValue = defaultValue;
        this.description = description;
        this.parser = parser;
    }

    /** Finds a field by its option or scenario key, or throws listing the accepted keys. */
    public static Field byKey(String key) {
        Optional<Field> match = Arrays.stream(values()).filter(field -> field.key.equals(key)).findFirst();
        return match.orElseThrow(() -> new ConfigException("Unknown field '" + key + "'. Accepted fields: "
                + Arrays.stream(values()).map(Field::key).collect(Collectors.joining(", ")) + "."));
    }

    public String key() {
        return key;
    }

    public String label() {
        return label;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    public boolean isBoolean() {
        return label.equals("BOOL");
    }

    Object parse(String raw) {
        return parser.apply(key, raw);
    }
}
