package io.ferrymq.sim.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for option and scenario values; each error names the field, the value and what is accepted. */
public final class Values {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:/\\s*(s|m|h))?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB)?");
    private static final Pattern QOS_WEIGHT = Pattern.compile("([012])\\s*:\\s*(\\d+)");

    private Values() {
    }

    public static ConfigException invalid(String field, String raw, String expected) {
        return new ConfigException("Invalid value '" + raw + "' for " + field + ": expected " + expected + ".");
    }

    public static int count(String field, String raw, int min, int max) {
        String expected = "a whole number from " + min + " to " + max;
        try {
            int value = Integer.parseInt(raw.trim());
            if (value < min || value > max) {
                throw invalid(field, raw, expected);
            }
            return value;
        } catch (NumberFormatException e) {
            throw invalid(field, raw, expected);
        }
    }

    public static Duration duration(String field, String raw) {
        String trimmed = raw.trim();
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = DURATION.matcher(trimmed);
        if (!matcher.matches()) {
            throw invalid(field, raw, "a duration such as 500ms, 30s, 5m or 1h");
        }
        double amount = Double.parseDouble(matcher.group(1));
        double millis = switch (matcher.group(2)) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            default -> amount * 3_600_000;
        };
        return Duration.ofMillis(Math.round(millis));
    }

    /** Returns events per second from "20/s", "120/m", "3600/h" or a bare number (per second). */
    public static double rate(String field, String raw) {
        Matcher matcher = RATE.matcher(raw.trim());
        if (!matcher.matches()) {
            throw invalid(field, raw, "a rate such as 20/s, 120/m or 0 (off)");
        }
        double amount = Double.parseDouble(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "s" -> amount;
            case "m" -> amount / 60;
            default -> amount / 3600;
        };
    }

    public static double fraction(String field, String raw) {
        String trimmed = raw.trim();
        String expected = "a share from 0 to 1, such as 0.25 or 25%";
        try {
            double value = trimmed.endsWith("%")
                    ? Double.parseDouble(trimmed.substring(0, trimmed.length() - 1).trim()) / 100
                    : Double.parseDouble(trimmed);
            if (value < 0 || value > 1 || Double.isNaN(value)) {
                throw invalid(field, raw, expected);
            }
            return value;
        } catch (NumberFormatException e) {
            throw invalid(field, raw, expected);
        }
    }

    static int bytes(String field, String raw, int max) {
        Matcher matcher = SIZE.matcher(raw.trim());
        String expected = "a size in bytes up to " + max + ", such as 64, 2KiB or 1MiB";
        if (!matcher.matches()) {
            throw invalid(field, raw, expected);
        }
        long multiplier = switch (matcher.group(2) == null ? "B" : matcher.group(2)) {
            case "KiB" -> 1024L;
            case "MiB" -> 1024L * 1024;
            default -> 1L;
        };
        long value = Long.parseLong(matcher.group(1)) * multiplier;
        if (value > max) {
            throw invalid(field, raw, expected);
        }
        return (int) value;
    }

    public static QosMix qosMix(String field, String raw) {
        String expected = "0, 1, 2 or a mix of weights adding up to 100, such as 0:20,1:50,2:30";
        String trimmed = raw.trim();
        if (trimmed.matches("[012]")) {
            return QosMix.single(Integer.parseInt(trimmed));
        }
        int[] weights = new int[3];
        for (String part : trimmed.split(",")) {
            Matcher matcher = QOS_WEIGHT.matcher(part.trim());
            if (!matcher.matches()) {
                throw invalid(field, raw, expected);
            }
            weights[Integer.parseInt(matcher.group(1))] += Integer.parseInt(matcher.group(2));
        }
        if (Arrays.stream(weights).sum() != 100) {
            throw invalid(field, raw, expected);
        }
        return new QosMix(weights);
    }

    static int qos(String field, String raw) {
        String trimmed = raw.trim();
        if (!trimmed.matches("[012]")) {
            throw invalid(field, raw, "0, 1 or 2");
        }
        return Integer.parseInt(trimmed);
    }

    static boolean bool(String field, String raw) {
        return switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw invalid(field, raw, "true or false");
        };
    }

    static <E extends Enum<E> & Named> E choice(String field, String raw, Class<E> type) {
        String trimmed = raw.trim().toLowerCase(Locale.ROOT);
        for (E constant : type.getEnumConstants()) {
            if (constant.names().contains(trimmed)) {
                return constant;
            }
        }
        StringBuilder accepted = new StringBuilder();
        for (E constant : type.getEnumConstants()) {
            accepted.append(accepted.length() == 0 ? "" : ", ").append(constant.names().get(0));
        }
        throw invalid(field, raw, "one of " + accepted);
    }

    static String text(String field, String raw) {
        if (raw.isBlank()) {
            throw invalid(field, raw, "a non-empty text");
        }
        return raw;
    }

    static String topicPattern(String field, String raw) {
        String topic = text(field, raw);
        if (topic.contains("+") || topic.contains("#")) {
            throw invalid(field, raw, "a topic name without the wildcards + and #; use {group} and {device} for parts that vary");
        }
        return topic;
    }
}
