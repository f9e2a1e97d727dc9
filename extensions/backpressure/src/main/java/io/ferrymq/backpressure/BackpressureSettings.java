package io.ferrymq.backpressure;

import static io.ferrymq.backpressure.SettingValues.bytes;
import static io.ferrymq.backpressure.SettingValues.checkKeys;
import static io.ferrymq.backpressure.SettingValues.choice;
import static io.ferrymq.backpressure.SettingValues.durationMillis;
import static io.ferrymq.backpressure.SettingValues.flag;
import static io.ferrymq.backpressure.SettingValues.positiveNumber;
import static io.ferrymq.backpressure.SettingValues.section;
import static io.ferrymq.backpressure.SettingValues.wholeNumber;

import io.ferrymq.spi.QueueLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code extensions.backpressure} section of the broker's config file. Every part has defaults,
 * so an empty section turns on overload protection, queue bounds and the dead-letter rule, with no
 * rate limit.
 *
 * @param rateLimit the limit of clients that no rule matches, or {@code null} for none
 * @param rules per client id or username limits; the first matching rule applies
 * @param overload the broker-wide watermarks
 * @param queue the bounds of each session's queue
 * @param redelivery retransmission and dead letters
 */
public record BackpressureSettings(RateLimit rateLimit, List<RateRule> rules, Overload overload, Queue queue,
                                   Redelivery redelivery) {

  private static final List<String> KNOWN = List.of("rate-limit", "rate-limit-rules", "overload", "queue",
      "redelivery");
  private static final List<String> KNOWN_RATE = List.of("messages-per-second", "bytes-per-second", "burst-messages",
      "burst-bytes");
  private static final List<String> KNOWN_RULE = List.of("client-id", "username", "messages-per-second",
      "bytes-per-second", "burst-messages", "burst-bytes", "unlimited");
  private static final List<String> KNOWN_OVERLOAD = List.of("enabled", "high-watermark", "low-watermark",
      "check-interval");
  private static final List<String> KNOWN_QUEUE = List.of("max-messages", "max-bytes", "qos0-overflow",
      "qos1-overflow");
  private static final List<String> KNOWN_REDELIVERY = List.of("max-attempts", "dead-letter", "retransmit",
      "initial-delay", "factor", "max-delay");

  public static final double MAX_RATE = 1e12;
  public static final int DEFAULT_MAX_QUEUED_MESSAGES = 1000;
  public static final long DEFAULT_MAX_QUEUED_BYTES = 16L << 20;
  public static final int DEFAULT_MAX_ATTEMPTS = 7;
  public static final long DEFAULT_INITIAL_DELAY_MILLIS = 100;
  public static final double DEFAULT_FACTOR = 2;
  public static final long DEFAULT_MAX_DELAY_MILLIS = 60_000;
  public static final long DEFAULT_CHECK_INTERVAL_MILLIS = 10;

  /**
   * A pair of token buckets. A rate of 0 means that dimension is not limited.
   *
   * @param messagesPerSecond the sustained PUBLISH packets per second
   * @param bytesPerSecond the sustained payload bytes per second
   * @param burstMessages the bucket size in messages: how many may arrive at once after a quiet spell
   * @param burstBytes the bucket size in bytes
   */
  public record RateLimit(double messagesPerSecond, double bytesPerSecond, double burstMessages, double burstBytes) {
  }

  /**
   * A rate limit for the clients whose client id and username match the given glob patterns ({@code *}
   * for any run of characters, {@code ?} for one). A rule without a pattern matches every client.
   *
   * @param limit the limit of matching clients, or {@code null} when the rule exempts them
   */
  public record RateRule(ClientPattern clientId, ClientPattern username, RateLimit limit) {

    boolean matches(String id, String user) {
      return (clientId == null || clientId.matches(id)) && (username == null || (user != null && username.matches(user)));
    }
  }

  /**
   * Broker-wide overload protection on queued payload bytes.
   *
   * @param highWatermark queued bytes at which reading from publishers pauses
   * @param lowWatermark queued bytes below which reading resumes
   * @param checkIntervalMillis how often the queued bytes are read while no publish arrives
   */
  public record Overload(boolean enabled, long highWatermark, long lowWatermark, long checkIntervalMillis) {
  }

  /** Bounds of each session's queue and their overflow policies, as the broker applies them. */
  public record Queue(QueueLimits limits) {
  }

  /**
   * Redelivery settings.
   *
   * @param maxAttempts sends of one message to one subscriber before it is dead-lettered; 0 for no limit
   * @param deadLetter whether such a message goes to the dead-letter topic (true) or is dropped
   * @param retransmit whether MQTT 3.1.1 subscribers get unacknowledged messages again within a connection
   */
  public record Redelivery(int maxAttempts, boolean deadLetter, boolean retransmit, long initialDelayMillis,
                           double factor, long maxDelayMillis) {

    /** Returns the wait before the next send of a message already sent {@code attempts} times. */
    long delayMillis(int attempts) {
      double delay = initialDelayMillis * Math.pow(factor, Math.max(0, attempts - 1));
      return (long) Math.min(maxDelayMillis, delay);
    }
  }

  /**
   * Reads the settings from the extension's config section.
   *
   * @param maxHeapBytes the JVM's maximum heap, which sizes the default watermarks
   * @throws IllegalArgumentException naming the setting, when a key is unknown or a value invalid
   */
  public static BackpressureSettings parse(Map<String, Object> section, long maxHeapBytes) {
    checkKeys(section, KNOWN, "");
    Map<String, Object> rate = section(section, "rate-limit", "rate-limit");
    RateLimit rateLimit = rate == null ? null : rateLimit(rate, "rate-limit.", KNOWN_RATE);
    return new BackpressureSettings(rateLimit, rules(section.get("rate-limit-rules")),
        overload(section(section, "overload", "overload"), maxHeapBytes),
        queue(section(section, "queue", "queue")),
        redelivery(section(section, "redelivery", "redelivery")));
  }

  private static RateLimit rateLimit(Map<String, Object> section, String prefix, List<String> known) {
    checkKeys(section, known, prefix);
    double messages = positiveNumber(section.get("messages-per-second"), prefix + "messages-per-second", 0, 0, MAX_RATE);
    double bytesPerSecond = bytes(section.get("bytes-per-second"), prefix + "bytes-per-second", 0, 0, (long) MAX_RATE);
    if (messages == 0 && bytesPerSecond == 0) {
      throw new IllegalArgumentException(prefix + "messages-per-second and " + prefix + "bytes-per-second are both "
          + "missing or 0: set at least one of them above 0");
    }
    // One second of traffic by default, which lets a client publish a burst after a quiet second.
    double burstMessages = positiveNumber(section.get("burst-messages"), prefix + "burst-messages",
        Math.max(1, messages), 1, MAX_RATE);
    double burstBytes = bytes(section.get("burst-bytes"), prefix + "burst-bytes", (long) Math.max(1, bytesPerSecond),
        1, (long) MAX_RATE);
    return new RateLimit(messages, bytesPerSecond, burstMessages, burstBytes);
  }

  @SuppressWarnings("unchecked")
  private static List<RateRule> rules(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException("rate-limit-rules is " + value + ": set it to a list of rules, each with a "
          + "client-id or username pattern and a limit");
    }
    List<RateRule> rules = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String name = "rate-limit-rules[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> raw)) {
        throw new IllegalArgumentException(name + " is " + list.get(i) + ": set it to a map with client-id or "
            + "username and messages-per-second or bytes-per-second");
      }
      rules.add(rule((Map<String, Object>) raw, name + "."));
    }
    return List.copyOf(rules);
  }

  private static RateRule rule(Map<String, Object> rule, String prefix) {
    checkKeys(rule, KNOWN_RULE, prefix);
    ClientPattern clientId = pattern(rule.get("client-id"), prefix + "client-id");
    ClientPattern username = pattern(rule.get("username"), prefix + "username");
    if (flag(rule.get("unlimited"), prefix + "unlimited", false)) {
      if (rule.keySet().stream().anyMatch(k -> k.endsWith("-per-second") || k.startsWith("burst-"))) {
        throw new IllegalArgumentException(prefix + "unlimited is true together with a limit: remove the limit "
            + "or the unlimited setting");
      }
      return new RateRule(clientId, username, null);
    }
    Map<String, Object> limit = new java.util.HashMap<>(rule);
    limit.remove("client-id");
    limit.remove("username");
    limit.remove("unlimited");
    return new RateRule(clientId, username, rateLimit(limit, prefix, KNOWN_RATE));
  }

  private static ClientPattern pattern(Object value, String key) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String s) || s.isEmpty()) {
      throw new IllegalArgumentException(key + " is " + value + ": set it to a pattern such as sensor-* ");
    }
    return ClientPattern.parse(s);
  }

  private static Overload overload(Map<String, Object> section, long maxHeapBytes) {
    Map<String, Object> s = section == null ? Map.of() : section;
    checkKeys(s, KNOWN_OVERLOAD, "overload.");
    boolean enabled = flag(s.get("enabled"), "overload.enabled", true);
    // A quarter of the heap for queued payloads leaves room for the copies in socket buffers, in-flight
    // windows and the rest of the broker.
    long high = bytes(s.get("high-watermark"), "overload.high-watermark", Math.max(1 << 20, maxHeapBytes / 4), 1,
        Long.MAX_VALUE / 2);
    long low = bytes(s.get("low-watermark"), "overload.low-watermark", high / 10 * 8, 0, Long.MAX_VALUE / 2);
    if (low >= high) {
      throw new IllegalArgumentException("overload.low-watermark (" + low + " bytes) must be below "
          + "overload.high-watermark (" + high + " bytes): lower it, for example to 80 % of the high watermark");
    }
    long interval = durationMillis(s.get("check-interval"), "overload.check-interval", DEFAULT_CHECK_INTERVAL_MILLIS,
        1, 10_000);
    return new Overload(enabled, high, low, interval);
  }

  private static Queue queue(Map<String, Object> section) {
    Map<String, Object> s = section == null ? Map.of() : section;
    checkKeys(s, KNOWN_QUEUE, "queue.");
    int maxMessages = (int) wholeNumber(s.get("max-messages"), "queue.max-messages", DEFAULT_MAX_QUEUED_MESSAGES, 1,
        10_000_000);
    long maxBytes = bytes(s.get("max-bytes"), "queue.max-bytes", DEFAULT_MAX_QUEUED_BYTES, 1, Long.MAX_VALUE / 2);
    QueueLimits.Qos0Overflow qos0 = choice(s.get("qos0-overflow"), "queue.qos0-overflow",
        QueueLimits.Qos0Overflow.DROP_OLDEST, QueueLimits.Qos0Overflow.class);
    QueueLimits.ReliableOverflow qos1 = choice(s.get("qos1-overflow"), "queue.qos1-overflow",
        QueueLimits.ReliableOverflow.REJECT_PUBLISH, QueueLimits.ReliableOverflow.class);
    return new Queue(new QueueLimits(maxMessages, maxBytes, qos0, qos1));
  }

  private static Redelivery redelivery(Map<String, Object> section) {
    Map<String, Object> s = section == null ? Map.of() : section;
    checkKeys(s, KNOWN_REDELIVERY, "redelivery.");
    int maxAttempts = (int) wholeNumber(s.get("max-attempts"), "redelivery.max-attempts", DEFAULT_MAX_ATTEMPTS, 0,
        1_000_000);
    boolean deadLetter = flag(s.get("dead-letter"), "redelivery.dead-letter", true);
    boolean retransmit = flag(s.get("retransmit"), "redelivery.retransmit", false);
    long initial = durationMillis(s.get("initial-delay"), "redelivery.initial-delay", DEFAULT_INITIAL_DELAY_MILLIS, 1,
        3_600_000);
    double factor = positiveNumber(s.get("factor"), "redelivery.factor", DEFAULT_FACTOR, 1, 100);
    long max = durationMillis(s.get("max-delay"), "redelivery.max-delay", DEFAULT_MAX_DELAY_MILLIS, 1, 86_400_000);
    if (max < initial) {
      throw new IllegalArgumentException("redelivery.max-delay (" + max + "ms) is below redelivery.initial-delay ("
          + initial + "ms): raise it or lower the initial delay");
    }
    return new Redelivery(maxAttempts, deadLetter, retransmit, initial, factor, max);
  }
}
