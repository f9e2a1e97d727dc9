package io.ferrymq.dedup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code extensions.dedup} section of the broker's config file.
 *
 * @param store where ids are kept: in memory, or in memory and on disk
 * @param maxIds the maximum number of ids tracked at once; when full, the oldest are evicted
 * @param windowMillis the window of rules that set none, and of QoS 1 and 2 resends with DUP=1
 * @param rules the rules in config order; the first whose topic filter matches a topic name applies
 * @param path the folder of the disk store, or {@code null} for {@code <data-dir>/dedup}
 * @param commitIntervalMillis how often the disk store commits newly recorded ids
 */
public record DedupSettings(StoreKind store, int maxIds, long windowMillis, List<Rule> rules, Path path,
                            long commitIntervalMillis) {

  public static final int DEFAULT_MAX_IDS = 1_000_000;
  /** Bounded so that the table's arrays stay well below the JVM's array size limit. */
  public static final int MAX_MAX_IDS = 1_000_000_000;
  public static final long DEFAULT_WINDOW_MILLIS = 3_600_000;
  public static final long MIN_WINDOW_MILLIS = 1_000;
  public static final long MAX_WINDOW_MILLIS = 7 * 86_400_000L;
  public static final String DEFAULT_PROPERTY = "message-id";
  public static final long DEFAULT_COMMIT_INTERVAL_MILLIS = 200;

  private static final List<String> KNOWN = List.of("store", "max-ids", "window", "property", "rules", "path",
      "commit-interval");
  private static final List<String> KNOWN_RULE = List.of("filter", "mode", "property", "window");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  /** Storage of the tracked ids. */
  public enum StoreKind { MEMORY, MAPDB }

  /** Source of a message's identity under a rule. */
  public enum Mode {
    /** The value of an MQTT 5 user property; a message without it is not checked by this rule. */
    PROPERTY,
    /** A hash of the publisher's client id, the topic name and the payload. */
    CONTENT_HASH
  }

  /**
   * One rule: messages on topics matching {@code filter} are identified by {@code mode} and count as
   * duplicates for {@code windowMillis}.
   *
   * @param property the user property name, for {@link Mode#PROPERTY}
   */
  public record Rule(TopicFilter filter, Mode mode, String property, long windowMillis) {
  }

  /** The maximum window of any rule or of resends, which is how long an id must be kept. */
  public long maxWindowMillis() {
    long max = windowMillis;
    for (Rule rule : rules) {
      max = Math.max(max, rule.windowMillis());
    }
    return max;
  }

  /** Returns the first rule whose filter matches {@code topic}, or {@code null}. */
  public Rule ruleFor(String topic) {
    for (Rule rule : rules) {
      if (rule.filter().matches(topic)) {
        return rule;
      }
    }
    return null;
  }

  /**
   * Reads the settings from the extension's config section. Without {@code rules}, one rule applies
   * the id property to every topic.
   *
   * @throws IllegalArgumentException naming the setting, when a key is unknown or a value invalid
   */
  public static DedupSettings parse(Map<String, Object> section) {
    checkKeys(section, KNOWN, "");
    StoreKind store = storeKind(section.get("store"));
    int maxIds = wholeNumber(section, "max-ids", DEFAULT_MAX_IDS, 1, MAX_MAX_IDS);
    long window = duration(section.get("window"), "window", DEFAULT_WINDOW_MILLIS, MIN_WINDOW_MILLIS,
        MAX_WINDOW_MILLIS);
    String property = text(section.get("property"), "property", DEFAULT_PROPERTY);
    List<Rule> rules = rules(section.get("rules"), window, property);
    Path path = section.get("path") == null ? null : Path.of(text(section.get("path"), "path", null));
    long commitInterval = duration(section.get("commit-interval"), "commit-interval",
        DEFAULT_COMMIT_INTERVAL_MILLIS, 10, 60_000);
    return new DedupSettings(store, maxIds, window, rules, path, commitInterval);
  }

  private static List<Rule> rules(Object value, long defaultWindow, String defaultProperty) {
    if (value == null) {
      return List.of(new Rule(TopicFilter.parse("#"), Mode.PROPERTY, defaultProperty, defaultWindow));
    }
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException("rules is " + value + ": set it to a list of rules, each with a filter");
    }
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String name = "rules[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> raw)) {
        throw new IllegalArgumentException(name + " is " + list.get(i) + ": set it to a map with filter, mode, "
            + "property and window");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> rule = (Map<String, Object>) raw;
      rules.add(rule(rule, name, defaultWindow, defaultProperty));
    }
    return List.copyOf(rules);
  }

  private static Rule rule(Map<String, Object> rule, String name, long defaultWindow, String defaultProperty) {
    checkKeys(rule, KNOWN_RULE, name + ".");
    Object filterValue = rule.get("filter");
    if (!(filterValue instanceof String filterText)) {
      throw new IllegalArgumentException(name + ".filter is " + (filterValue == null ? "missing" : filterValue)
          + ": set it to a topic filter such as meters/#");
    }
    TopicFilter filter;
    try {
      filter = TopicFilter.parse(filterText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ".filter " + e.getMessage(), e);
    }
    Mode mode = mode(rule.get("mode"), name + ".mode");
    String property = text(rule.get("property"), name + ".property", defaultProperty);
    long window = duration(rule.get("window"), name + ".window", defaultWindow, MIN_WINDOW_MILLIS, MAX_WINDOW_MILLIS);
    return new Rule(filter, mode, property, window);
  }

  private static void checkKeys(Map<String, Object> section, List<String> known, String prefix) {
    for (String key : section.keySet()) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException("unknown setting " + prefix + key + "; known settings: "
            + String.join(", ", known));
      }
    }
  }

  private static StoreKind storeKind(Object value) {
    if (value == null || value.equals("memory")) {
      return StoreKind.MEMORY;
    }
    if (value.equals("mapdb")) {
      return StoreKind.MAPDB;
    }
    throw new IllegalArgumentException("store is " + value + ": set it to memory or mapdb");
  }

  private static Mode mode(Object value, String key) {
    if (value == null || value.equals("property")) {
      return Mode.PROPERTY;
    }
    if (value.equals("content-hash")) {
      return Mode.CONTENT_HASH;
    }
    throw new IllegalArgumentException(key + " is " + value + ": set it to property or content-hash");
  }

  private static String text(Object value, String key, String fallback) {
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException(key + " is " + value + ": set it to a non-empty string");
    }
    return s;
  }

  private static int wholeNumber(Map<String, Object> section, String key, int fallback, int min, int max) {
    Object value = section.get(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Integer i) || i < min || i > max) {
      throw new IllegalArgumentException(key + " is " + value + ": set it to a whole number from " + min + " to " + max);
    }
    return i;
  }

  /**
   * Reads a duration written as a whole number with a unit ({@code 500ms}, {@code 30s}, {@code 15m},
   * {@code 1h}, {@code 7d}) or as a whole number of seconds.
   */
  static long duration(Object value, String key, long fallback, long minMillis, long maxMillis) {
    if (value == null) {
      return fallback;
    }
    long millis = toMillis(value);
    if (millis < minMillis || millis > maxMillis) {
      throw new IllegalArgumentException(key + " is " + value + ": set it to a duration from " + format(minMillis)
          + " to " + format(maxMillis) + ", such as 30s, 15m, 1h or 7d");
    }
    return millis;
  }

  private static long toMillis(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      long seconds = ((Number) value).longValue();
      return seconds > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : seconds * 1000;
    }
    Matcher m = value instanceof String s ? DURATION.matcher(s.trim()) : null;
    if (m == null || !m.matches() || m.group(1).length() > 12) {
      return -1;
    }
    long amount = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> amount;
      case "s" -> amount * 1000;
      case "m" -> amount * 60_000;
      case "h" -> amount * 3_600_000;
      default -> amount * 86_400_000;
    };
  }

  private static String format(long millis) {
    if (millis % 86_400_000 == 0) {
      return millis / 86_400_000 + "d";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }
}
