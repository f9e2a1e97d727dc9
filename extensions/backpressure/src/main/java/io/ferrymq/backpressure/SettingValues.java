package io.ferrymq.backpressure;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads single values of the config section; every error names the setting by its full key, shows
 * the value and says what to set instead.
 */
final class SettingValues {

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB)?");

  private SettingValues() {
  }

  static void checkKeys(Map<String, Object> section, List<String> known, String prefix) {
    for (String key : section.keySet()) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException("unknown setting " + prefix + key + "; known settings: "
            + String.join(", ", known));
      }
    }
  }

  /** Returns the sub-section under {@code key}, or {@code null} when it is absent. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> section(Map<String, Object> parent, String key, String fullKey) {
    Object value = parent.get(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map<?, ?>)) {
      throw new IllegalArgumentException(fullKey + " is " + value + ": set it to a map of settings");
    }
    return (Map<String, Object>) value;
  }

  static boolean flag(Object value, String key, boolean fallback) {
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean b)) {
      throw new IllegalArgumentException(key + " is " + value + ": set it to true or false");
    }
    return b;
  }

  static long wholeNumber(Object value, String key, long fallback, long min, long max) {
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < min
        || ((Number) value).longValue() > max) {
      throw new IllegalArgumentException(key + " is " + value + ": set it to a whole number from " + min + " to " + max);
    }
    return ((Number) value).longValue();
  }

  /** Reads a positive number such as {@code 2} or {@code 1.5}. */
  static double positiveNumber(Object value, String key, double fallback, double min, double max) {
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n) || !(n.doubleValue() >= min) || n.doubleValue() > max) {
      throw new IllegalArgumentException(key + " is " + value + ": set it to a number from " + min + " to " + max);
    }
    return n.doubleValue();
  }

  /** Reads a duration written as a whole number with a unit ({@code 100ms}, {@code 30s}, {@code 5m}, {@code 1h}). */
  static long durationMillis(Object value, String key, long fallback, long minMillis, long maxMillis) {
    if (value == null) {
      return fallback;
    }
    Matcher m = value instanceof String s ? DURATION.matcher(s.trim()) : null;
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException(key + " is " + value + ": set it to a duration with a unit, such as 100ms, "
          + "30s, 5m or 1h");
    }
    long amount = Long.parseLong(m.group(1));
    long millis = switch (m.group(2)) {
      case "ms" -> amount;
      case "s" -> amount * 1000;
      case "m" -> amount * 60_000;
      default -> amount * 3_600_000;
    };
    if (millis < minMillis || millis > maxMillis) {
      throw new IllegalArgumentException(key + " is " + value + ": set it to a duration from " + minMillis
          + "ms to " + maxMillis + "ms");
    }
    return millis;
  }

  /** Reads a byte size: a whole number of bytes, or one with a unit ({@code 512KiB}, {@code 64MiB}, {@code 1GiB}). */
  static long bytes(Object value, String key, long fallback, long min, long max) {
    if (value == null) {
      return fallback;
    }
    long size;
    if (value instanceof Integer || value instanceof Long) {
      size = ((Number) value).longValue();
    } else {
      Matcher m = value instanceof String s ? SIZE.matcher(s.trim()) : null;
      if (m == null || !m.matches()) {
        throw new IllegalArgumentException(key + " is " + value + ": set it to a size in bytes, or with a unit such as "
            + "512KiB, 64MiB or 1GiB");
      }
      long unit = switch (m.group(2) == null ? "B" : m.group(2)) {
        case "KiB" -> 1L << 10;
        case "MiB" -> 1L << 20;
        case "GiB" -> 1L << 30;
        default -> 1;
      };
      size = Long.parseLong(m.group(1)) * unit;
    }
    if (size < min || size > max) {
      throw new IllegalArgumentException(key + " is " + value + ": set it to a size from " + min + " to " + max
          + " bytes");
    }
    return size;
  }

  /** Reads one of {@code choices}, written in lower case with hyphens, as the enum constant of the same name. */
  static <E extends Enum<E>> E choice(Object value, String key, E fallback, Class<E> type) {
    if (value == null) {
      return fallback;
    }
    StringBuilder names = new StringBuilder();
    for (E constant : type.getEnumConstants()) {
      String name = constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
      if (name.equals(value)) {
        return constant;
      }
      names.append(names.length() == 0 ? "" : " or ").append(name);
    }
    throw new IllegalArgumentException(key + " is " + value + ": set it to " + names);
  }
}
