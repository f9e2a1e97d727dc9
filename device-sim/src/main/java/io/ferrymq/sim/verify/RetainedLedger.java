package io.ferrymq.sim.verify;

import io.ferrymq.sim.payload.Payload;
import io.ferrymq.sim.payload.PayloadKind;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The retained message each status topic should hold, and what a late subscriber found there. */
final class RetainedLedger {
    private record Expected(PayloadKind kind, long seq, boolean confirmed) {
    }

    private final Map<String, Expected> expected = new HashMap<>();
    private final Map<String, Payload> found = new HashMap<>();
    private boolean checked;

    /**
     * Records the newest retained value of a topic. An unconfirmed value (its publish never completed) makes
     * the topic uncertain, so the check skips it.
     */
    void expect(String topic, PayloadKind kind, long seq, boolean confirmed) {
        expected.put(topic, new Expected(kind, seq, confirmed));
    }

    void confirm(String topic, PayloadKind kind, long seq) {
        Expected current = expected.get(topic);
        if (current != null && current.kind == kind && current.seq == seq) {
            expected.put(topic, new Expected(kind, seq, true));
        }
    }

    void found(String topic, Payload payload) {
        checked = true;
        found.put(topic, payload);
    }

    void markChecked() {
        checked = true;
    }

    /** Returns {checked, missing, wrong}, adding example lines for each violation. */
    long[] compare(List<String> examples, int maxExamples) {
        if (!checked) {
            return new long[3];
        }
        long checkedTopics = 0;
        long missing = 0;
        long wrong = 0;
        for (Map.Entry<String, Expected> item : expected.entrySet()) {
            Expected want = item.getValue();
            if (!want.confirmed) {
                continue;
            }
            checkedTopics++;
            Payload got = found.get(item.getKey());
            if (got == null) {
                missing++;
                addExample(examples, maxExamples, "missing retained message on " + item.getKey()
                        + ": expected " + want.kind + " " + want.seq);
            } else if (got.kind() != want.kind || got.seq() != want.seq) {
                wrong++;
                addExample(examples, maxExamples, "wrong retained message on " + item.getKey() + ": expected "
                        + want.kind + " " + want.seq + ", found " + got.kind() + " " + got.seq());
            }
        }
        return new long[] {checkedTopics, missing, wrong};
    }

    private static void addExample(List<String> examples, int maxExamples, String line) {
        if (examples.size() < maxExamples) {
            examples.add(line);
        }
    }
}
