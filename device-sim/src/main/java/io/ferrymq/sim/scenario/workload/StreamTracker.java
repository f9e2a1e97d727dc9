package io.ferrymq.sim.scenario.workload;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Tracks numbered messages per stream, such as a conversation, a device's commands or an editor's view of a
 * document. It counts the faults a receiver would notice: a number delivered twice, a number delivered after a
 * higher one, and an owed number that never arrived. Numbers start at 1. Thread-safe, because receivers call it
 * from their client threads.
 */
public final class StreamTracker {
    private final Map<String, State> streams = new HashMap<>();

    private static final class State {
        final BitSet owed = new BitSet();
        final BitSet received = new BitSet();
        long highest;
        long duplicates;
        long reordered;
    }

    /** Outcome of a delivery for its stream. */
    public enum Outcome { FIRST, DUPLICATE, OUT_OF_ORDER }

    /** Records that the number was sent and must arrive, for example once the broker acknowledged it. */
    public synchronized void owe(String stream, int number) {
        state(stream).owed.set(number);
    }

    public synchronized Outcome receive(String stream, int number) {
        State state = state(stream);
        if (state.received.get(number)) {
            state.duplicates++;
            return Outcome.DUPLICATE;
        }
        state.received.set(number);
        if (number < state.highest) {
            state.reordered++;
            return Outcome.OUT_OF_ORDER;
        }
        state.highest = number;
        return Outcome.FIRST;
    }

    /** Owed numbers not received yet, over all streams. */
    public synchronized long missing() {
        long missing = 0;
        for (State state : streams.values()) {
            BitSet absent = (BitSet) state.owed.clone();
            absent.andNot(state.received);
            missing += absent.cardinality();
        }
        return missing;
    }

    public synchronized long duplicates() {
        return streams.values().stream().mapToLong(state -> state.duplicates).sum();
    }

    public synchronized long reordered() {
        return streams.values().stream().mapToLong(state -> state.reordered).sum();
    }

    /** Distinct numbers received, over all streams. */
    public synchronized long received() {
        return streams.values().stream().mapToLong(state -> state.received.cardinality()).sum();
    }

    /** Streams with at least one missing, duplicated or reordered number. */
    public synchronized long faultyStreams() {
        long faulty = 0;
        for (State state : streams.values()) {
            BitSet absent = (BitSet) state.owed.clone();
            absent.andNot(state.received);
            if (!absent.isEmpty() || state.duplicates > 0 || state.reordered > 0) {
                faulty++;
            }
        }
        return faulty;
    }

    private State state(String stream) {
        return streams.computeIfAbsent(stream, key -> new State());
    }
}
