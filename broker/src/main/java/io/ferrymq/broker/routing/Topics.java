package io.ferrymq.broker.routing;

/**
 * Topic name and topic filter rules of MQTT 3.1.1 and 5.0 (section 4.7).
 *
 * <p>Levels are separated by {@code /}; an empty level is a level. In a filter, {@code +} matches
 * exactly one level and {@code #} matches the parent level and any number of levels below it, so
 * {@code sport/#} matches {@code sport}, {@code sport/} and {@code sport/tennis/player1}. A filter
 * whose first level is a wildcard never matches a topic that starts with {@code $}, so {@code #}
 * does not see {@code $SYS/broker/uptime} but {@code $SYS/#} does [MQTT-4.7.2-1].
 */
public final class Topics {

  /** The prefix of a shared subscription filter: {@code $share/{ShareName}/{filter}}. */
  public static final String SHARE_PREFIX = "$share/";

  private Topics() {
  }

  /**
   * Returns whether {@code topic} may be used as a PUBLISH topic name: at least one character and
   * no wildcard [MQTT-3.3.2-2]. UTF-8 well-formedness and U+0000 are checked by the decoder.
   */
  public static boolean isValidTopicName(String topic) {
    if (topic == null || topic.isEmpty()) {
      return false;
    }
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      if (c == '+' || c == '#' || c == '\0') {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns whether {@code filter} is a valid topic filter: non-empty, {@code #} only as the last
   * character and alone in its level [MQTT-4.7.1-1], {@code +} alone in its level [MQTT-4.7.1-2].
   */
  public static boolean isValidTopicFilter(String filter) {
    if (filter == null || filter.isEmpty()) {
      return false;
    }
    int length = filter.length();
    for (int i = 0; i < length; i++) {
      char c = filter.charAt(i);
      boolean levelStart = i == 0 || filter.charAt(i - 1) == '/';
      boolean levelEnd = i == length - 1 || filter.charAt(i + 1) == '/';
      if (c == '#' && (!levelStart || i != length - 1)) {
        return false;
      }
      if (c == '+' && (!levelStart || !levelEnd)) {
        return false;
      }
      if (c == '\0') {
        return false;
      }
    }
    return true;
  }

  public static boolean hasWildcard(String filter) {
    return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
  }

  /**
   * Parses a shared subscription filter {@code $share/{ShareName}/{filter}}.
   *
   * @return the share name and inner filter, or {@code null} when the filter is not a shared one
   * @throws IllegalArgumentException when the share name is empty or holds a wildcard or the inner
   *     filter is missing [MQTT-4.8.2-1, MQTT-4.8.2-2]
   */
  public static SharedFilter parseShared(String filter) {
    if (!filter.startsWith(SHARE_PREFIX)) {
      return null;
    }
    int slash = filter.indexOf('/', SHARE_PREFIX.length());
    if (slash < 0) {
      throw new IllegalArgumentException("shared subscription needs $share/{name}/{filter}: " + filter);
    }
    String shareName = filter.substring(SHARE_PREFIX.length(), slash);
    String inner = filter.substring(slash + 1);
    if (shareName.isEmpty() || shareName.indexOf('+') >= 0 || shareName.indexOf('#') >= 0) {
      throw new IllegalArgumentException("share name must be non-empty and free of wildcards: " + filter);
    }
    if (!isValidTopicFilter(inner)) {
      throw new IllegalArgumentException("invalid filter after the share name: " + filter);
    }
    return new SharedFilter(shareName, inner);
  }

  /** Returns whether {@code filter} matches {@code topic}; used where no tree is at hand, such as retained messages. */
  public static boolean matches(String filter, String topic) {
    if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
      return false;
    }
    int f = 0;
    int t = 0;
    int fl = filter.length();
    int tl = topic.length();
    while (f < fl) {
      int fEnd = levelEnd(filter, f);
      String level = filter.substring(f, fEnd);
      if (level.equals("#")) {
        return true;
      }
      if (t > tl) {
        return false;
      }
      int tEnd = levelEnd(topic, t);
      if (!level.equals("+") && !topic.regionMatches(t, filter, f, Math.max(fEnd - f, tEnd - t))) {
        return false;
      }
      if (!level.equals("+") && fEnd - f != tEnd - t) {
        return false;
      }
      f = fEnd + 1;
      t = tEnd + 1;
    }
    return t > tl;
  }

  private static int levelEnd(String s, int from) {
    int slash = s.indexOf('/', from);
    return slash < 0 ? s.length() : slash;
  }

  /** Splits a topic name or filter into its levels, keeping empty levels. */
  static String[] levels(String topic) {
    int count = 1;
    for (int i = 0; i < topic.length(); i++) {
      if (topic.charAt(i) == '/') {
        count++;
      }
    }
    String[] out = new String[count];
    int start = 0;
    int n = 0;
    for (int i = 0; i < topic.length(); i++) {
      if (topic.charAt(i) == '/') {
        out[n++] = topic.substring(start, i);
        start = i + 1;
      }
    }
    out[n] = topic.substring(start);
    return out;
  }

  /** The parts of a {@code $share/{ShareName}/{filter}} subscription. */
  public record SharedFilter(String shareName, String filter) {
  }
}
