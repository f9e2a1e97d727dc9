package io.ferrymq.sim.scenario.workload;

import java.util.HashMap;
import java.util.Map;

/**
 * The dispatcher's record of open ride requests: the first driver to accept a request wins it, and every later
 * accept of the same request is turned down. Thread-safe.
 */
public final class DispatchBoard {
    private final Map<Long, String> winners = new HashMap<>();
    private final Map<Long, Boolean> open = new HashMap<>();
    private long late;
    private long unknown;

    /** Outcome of an accept. */
    public enum Decision { WON, TAKEN, UNKNOWN_REQUEST }

    public synchronized void open(long requestId) {
        open.put(requestId, Boolean.TRUE);
    }

    public synchronized Decision accept(long requestId, String driverId) {
        if (!open.containsKey(requestId)) {
            unknown++;
            return Decision.UNKNOWN_REQUEST;
        }
        if (winners.putIfAbsent(requestId, driverId) != null) {
            late++;
            return Decision.TAKEN;
        }
        return Decision.WON;
    }

    public synchronized String winner(long requestId) {
        return winners.get(requestId);
    }

    public synchronized long assigned() {
        return winners.size();
    }

    public synchronized long requests() {
        return open.size();
    }

    /** Accepts that arrived after another driver had won. */
    public synchronized long turnedDown() {
        return late;
    }

    /** Accepts naming a request the dispatcher never opened. */
    public synchronized long unknownAccepts() {
        return unknown;
    }
}
