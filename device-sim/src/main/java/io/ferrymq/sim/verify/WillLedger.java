package io.ferrymq.sim.verify;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Wills per device connection: which must arrive, which may, and who received them. */
final class WillLedger {
    private final Map<String, Entry> entries = new HashMap<>();
    long delivered;
    long unexpected;

    private static final class Entry {
        final boolean required;
        final List<String> receivers;
        final Set<String> receivedBy = new HashSet<>();

        Entry(boolean required, List<String> receivers) {
            this.required = required;
            this.receivers = receivers;
        }
    }

    void expect(String deviceId, long connection, boolean required, List<String> receivers) {
        entries.put(key(deviceId, connection), new Entry(required, List.copyOf(receivers)));
    }

    /** Records a will delivery; returns a violation line, or null when the delivery was allowed. */
    String received(String receiverId, String deviceId, long connection) {
        Entry entry = entries.get(key(deviceId, connection));
        if (entry == null || !entry.receivers.contains(receiverId)) {
            unexpected++;
            return "unexpected will: " + deviceId + " connection " + connection + " at " + receiverId
                    + " although the device disconnected cleanly or was never connected";
        }
        if (entry.receivedBy.add(receiverId) && entry.required) {
            delivered++;
        }
        return null;
    }

    long missing(List<String> examples, int maxExamples) {
        long missing = 0;
        for (Map.Entry<String, Entry> item : entries.entrySet()) {
            Entry entry = item.getValue();
            if (!entry.required) {
                continue;
            }
            for (String receiver : entry.receivers) {
                if (!entry.receivedBy.contains(receiver)) {
                    missing++;
                    if (examples.size() < maxExamples) {
                        examples.add("missing will: " + item.getKey() + " at " + receiver);
                    }
                }
            }
        }
        return missing;
    }

    private static String key(String deviceId, long connection) {
        return deviceId + " connection " + connection;
    }
}
