package io.ferrymq.sim.scenario.workload;

/**
 * Geohash encoding: longitude and latitude bits interleaved, longitude first, five bits per base-32 character. Each extra character narrows the cell, so a cell's hash
 * starts with the hash of every cell that contains it, which suits MQTT topic levels: {@code u/3/3/d/b} is
 * inside {@code u/3/3/d/+}.
 */
public final class Geohash {
    private static final String BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz";

    private Geohash() {
    }

    /** Encodes a position in degrees to a hash of {@code precision} characters. */
    public static String encode(double latitude, double longitude, int precision) {
        if (latitude < -90 || latitude > 90 || longitude < -180 || longitude > 180) {
            throw new IllegalArgumentException("Position out of range: " + latitude + ", " + longitude);
        }
        double[] lat = {-90, 90};
        double[] lon = {-180, 180};
        StringBuilder hash = new StringBuilder(precision);
        boolean longitudeBit = true;
        int bits = 0;
        int value = 0;
        while (hash.length() < precision) {
            double[] range = longitudeBit ? lon : lat;
            double coordinate = longitudeBit ? longitude : latitude;
            double middle = (range[0] + range[1]) / 2;
            value <<= 1;
            if (coordinate >= middle) {
                value |= 1;
                range[0] = middle;
            } else {
                range[1] = middle;
            }
            longitudeBit = !longitudeBit;
            if (++bits == 5) {
                hash.append(BASE32.charAt(value));
                bits = 0;
                value = 0;
            }
        }
        return hash.toString();
    }

    /** Topic levels of a hash, one character each: {@code u33db} becomes {@code u/3/3/d/b}. */
    public static String topicLevels(String hash) {
        return String.join("/", hash.split(""));
    }
}
