package io.ferrymq.sim.scenario;

import io.ferrymq.sim.config.ConfigException;
import io.ferrymq.sim.config.Values;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code size} and {@code settings} sections of a scenario. Sizes are counts of participants or
 * messages and grow with the scale factor; settings (rates, durations, ranges) do not. Each getter takes the
 * default that applies when the file leaves the key out, and an invalid value names the section and key.
 */
public final class WorkloadSettings {
    private final Map<String, String> size;
    private final Map<String, String> settings;
    private final double scale;

    public WorkloadSettings(Map<String, String> size, Map<String, String> settings, double scale) {
        this.size = Map.copyOf(size);
        this.settings = Map.copyOf(settings);
        this.scale = scale;
    }

    public double scale() {
        return scale;
    }

    /** A size key times the scale factor, rounded, and at least {@code minimum}. */
    public int size(String key, int defaultValue, int minimum) {
        String raw = size.get(key);
        int base = raw == null ? defaultValue : Values.count("size." + key, raw, 1, 10_000_000);
        return Math.max(minimum, (int) Math.round(base * scale));
    }

    public Duration duration(String key, String defaultValue) {
        return Values.duration("settings." + key, settings.getOrDefault(key, defaultValue));
    }

    /** Events per second from a rate such as {@code 20/s} or {@code 120/m}. */
    public double rate(String key, String defaultValue) {
        return Values.rate("settings." + key, settings.getOrDefault(key, defaultValue));
    }

    public double fraction(String key, String defaultValue) {
        return Values.fraction("settings." + key, settings.getOrDefault(key, defaultValue));
    }

    public int integer(String key, int defaultValue, int min, int max) {
        String raw = settings.get(key);
        return raw == null ? defaultValue : Values.count("settings." + key, raw, min, max);
    }

    public String text(String key, String defaultValue) {
        return settings.getOrDefault(key, defaultValue);
    }

    /** An inclusive range of whole numbers written {@code 25-45}, or a single number. */
    public Range range(String key, String defaultValue) {
        String raw = settings.getOrDefault(key, defaultValue).trim();
        String field = "settings." + key;
        String expected = "a range of whole numbers such as 25-45";
        String[] parts = raw.split("\\s*-\\s*");
        if (parts.length > 2) {
            throw Values.invalid(field, raw, expected);
        }
        int low = Values.count(field, parts[0], 0, Integer.MAX_VALUE);
        int high = parts.length == 2 ? Values.count(field, parts[1], 0, Integer.MAX_VALUE) : low;
        if (high < low) {
            throw new ConfigException("Invalid value '" + raw + "' for " + field
                    + ": the upper bound must not be below the lower bound.");
        }
        return new Range(low, high);
    }

    /** Inclusive range of whole numbers. */
    public record Range(int low, int high) {
        public int pick(java.util.Random random) {
            return low + random.nextInt(high - low + 1);
        }

        @Override
        public String toString() {
            return low == high ? Integer.toString(low) : low + "-" + high;
        }
    }
}
