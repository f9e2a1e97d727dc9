package io.ferrymq.persistence;

import io.ferrymq.persistence.journal.FsyncMode;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The settings under {@code extensions.persistence} in the broker's config file.
 *
 * @param fsync {@code group} (default) or {@code always}
 * @param commitIntervalMillis how long the first record of a group waits for others before the
 *     force, in milliseconds; 0 groups only the records that queue up during the previous force
 * @param checkpointBytes journal bytes after which a checkpoint is written
 * @param checkpointIntervalMillis time after which a non-empty journal is checkpointed, in milliseconds
 * @param moveDamagedAside whether start-up moves damaged files into a {@code damaged-*} folder and
 *     continues with what can be read, instead of stopping
 * @param maxQueuedMessages stored messages per session beyond which new ones are refused; 0 for no bound
 * @param maxQueuedBytes stored payload bytes per session beyond which new ones are refused; 0 for no bound
 */
public record PersistenceConfig(FsyncMode fsync, long commitIntervalMillis, long checkpointBytes,
                                long checkpointIntervalMillis, boolean moveDamagedAside, long maxQueuedMessages,
                                long maxQueuedBytes) {

  private static final Set<String> KEYS = Set.of("fsync", "commit-interval-ms", "checkpoint-bytes",
      "checkpoint-interval-ms", "damaged-files", "max-queued-messages", "max-queued-bytes");

  public static PersistenceConfig defaults() {
    return parse(Map.of());
  }

  /**
   * Reads the extension's config section.
   *
   * @throws IllegalArgumentException naming the setting, when a key is unknown or a value invalid
   */
  public static PersistenceConfig parse(Map<String, Object> section) {
    for (String key : section.keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown setting " + key + "; known settings: " + String.join(", ",
            new java.util.TreeSet<>(KEYS)));
      }
    }
    FsyncMode fsync = switch (String.valueOf(section.getOrDefault("fsync", "group")).toLowerCase(Locale.ROOT)) {
      case "group" -> FsyncMode.GROUP;
      case "always" -> FsyncMode.ALWAYS;
      default -> throw new IllegalArgumentException("fsync is " + section.get("fsync") + ": set it to group or always");
    };
    String damaged = String.valueOf(section.getOrDefault("damaged-files", "fail"));
    if (!damaged.equals("fail") && !damaged.equals("move-aside")) {
      throw new IllegalArgumentException("damaged-files is " + damaged + ": set it to fail or move-aside");
    }
    return new PersistenceConfig(fsync,
        number(section, "commit-interval-ms", 1, 0, 1000),
        number(section, "checkpoint-bytes", 64L << 20, 1 << 16, Long.MAX_VALUE),
        number(section, "checkpoint-interval-ms", 60_000, 100, Long.MAX_VALUE),
        damaged.equals("move-aside"),
        number(section, "max-queued-messages", 0, 0, Long.MAX_VALUE),
        number(section, "max-queued-bytes", 0, 0, Long.MAX_VALUE));
  }

  private static long number(Map<String, Object> section, String key, long fallback, long min, long max) {
    Object value = section.get(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Number n) || n.doubleValue() != n.longValue()) {
      throw new IllegalArgumentException(key + " is " + value + ": set it to a whole number from " + min + " to " + max);
    }
    long v = n.longValue();
    if (v < min || v > max) {
      throw new IllegalArgumentException(key + " is " + v + ": set it to a whole number from " + min + " to " + max);
    }
    return v;
  }
}
