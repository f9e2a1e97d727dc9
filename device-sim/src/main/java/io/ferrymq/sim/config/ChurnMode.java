package io.ferrymq.sim.config;

import java.util.List;

/** Way a churning device goes offline. */
public enum ChurnMode implements Named {
    /** Closes the socket without DISCONNECT, so the broker publishes the will. */
    DROP("drop"),
    /** Publishes an offline status and sends DISCONNECT, so no will is published. */
    DISCONNECT("disconnect"),
    /** Picks drop or disconnect with equal chance for each event. */
    MIXED("mixed");

    private final String name;

    ChurnMode(String name) {
        this.name = name;
    }

    @Override
    public List<String> names() {
        return List.of(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
