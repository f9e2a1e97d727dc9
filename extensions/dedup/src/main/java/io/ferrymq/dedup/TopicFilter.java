package io.ferrymq.dedup;

/**
 * An MQTT topic filter for choosing a dedup rule by topic name. {@code +} matches exactly one level
 * and {@code #}, only as the last level, matches its parent and any number of levels below: so
 * {@code meters/+/reading} matches {@code meters/7/reading}, and {@code meters/#} matches {@code meters}
 * and {@code meters/7/reading}. A filter that starts with a wildcard does not match topic names that
 * start with {@code $} [MQTT-4.7.2-1].
 */
public final class TopicFilter {

  private final String filter;
  private final String[] levels;

  private TopicFilter(String filter, String[] levels) {
    this.filter = filter;
    this.levels = levels;
  }

  /**
   * Parses {@code filter}.
   *
   * @throws IllegalArgumentException when a wildcard is not a whole level or {@code #} is not last
   */
  public static TopicFilter parse(String filter) {
    if (filter.isEmpty()) {
      throw new IllegalArgumentException("is empty");
    }
    String[] levels = filter.split("/", -1);
    for (int i = 0; i < levels.length; i++) {
      String level = levels[i];
      boolean wildcard = level.equals("+") || level.equals("#");
      if (!wildcard && (level.contains("+") || level.contains("#"))) {
        throw new IllegalArgumentException("has a wildcard that is not a whole level: " + filter);
      }
      if (level.equals("#") && i != levels.length - 1) {
        throw new IllegalArgumentException("has # before its last level: " + filter);
      }
    }
    return new TopicFilter(filter, levels);
  }

  public boolean matches(String topic) {
    if (topic.startsWith("$") && (levels[0].equals("+") || levels[0].equals("#"))) {
      return false;
    }
    String[] names = topic.split("/", -1);
    for (int i = 0; i < levels.length; i++) {
      if (levels[i].equals("#")) {
        return true;
      }
      if (i >= names.length) {
        return false;
      }
      if (!levels[i].equals("+") && !levels[i].equals(names[i])) {
        return false;
      }
    }
    return names.length == levels.length;
  }

  @Override
  public String toString() {
    return filter;
  }
}
