package io.ferrymq.sim.scenario.workload;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Payloads of the workloads: text fields separated by {@code |}, padded with {@code .} up to a size. A field
 * never contains {@code |}; ids and numbers are all the workloads put there.
 */
final class Messages {
    private Messages() {
    }

    static byte[] encode(int size, Object... fields) {
        StringBuilder text = new StringBuilder();
        for (Object field : fields) {
            text.append(field).append('|');
        }
        while (text.length() < size) {
            text.append('.');
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Splits a payload into its fields and drops the padding. */
    static String[] decode(byte[] payload) {
        String text = new String(payload, StandardCharsets.US_ASCII);
        String[] parts = text.split("\\|", -1);
        return Arrays.copyOf(parts, parts.length - 1);
    }
}
