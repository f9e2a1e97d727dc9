package io.ferrymq.metrics;

import java.util.List;
import java.util.Map;

/**
 * The {@code extensions.metrics} section of the broker's config file.
 *
 * @param host the address the HTTP endpoint binds to
 * @param port the HTTP port of {@code /metrics}; 0 picks a free port
 * @param sysIntervalSeconds seconds between two {@code $SYS} summaries; 0 turns them off
 * @param jvmMetrics whether {@code /metrics} includes the JVM's standard metrics
 */
public record MetricsSettings(String host, int port, int sysIntervalSeconds, boolean jvmMetrics) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 9400;
  /** The default {@code sys_interval} of Mosquitto 2.0 (mosquitto.conf(5)), so that a $SYS reader gets the same pace. */
  public static final int DEFAULT_SYS_INTERVAL_SECONDS = 10;

  private static final List<String> KNOWN = List.of("host", "port", "sys-interval", "jvm-metrics");

  /**
   * Reads the settings from the extension's config section.
   *
   * @throws IllegalArgumentException naming the setting, when a key is unknown or a value invalid
   */
  public static MetricsSettings parse(Map<String, Object> section) {
    for (String key : section.keySet()) {
      if (!KNOWN.contains(key)) {
        throw new IllegalArgumentException("unknown setting " + key + "; known settings: " + String.join(", ", KNOWN));
      }
    }
    String host = text(section, "host", DEFAULT_HOST);
    int port = wholeNumber(section, "port", DEFAULT_PORT, 0, 65535);
    int sysInterval = wholeNumber(section, "sys-interval", DEFAULT_SYS_INTERVAL_SECONDS, 0, 86_400);
    boolean jvm = flag(section, "jvm-metrics", true);
    return new MetricsSettings(host, port, sysInterval, jvm);
  }

  private static String text(Map<String, Object> section, String key, String fallback) {
    Object value = section.get(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException(key + " is " + value + ": set it to a host name or an IP address");
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

  private static boolean flag(Map<String, Object> section, String key, boolean fallback) {
    Object value = section.get(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean b)) {
      throw new IllegalArgumentException(key + " is " + value + ": set it to true or false");
    }
    return b;
  }
}
