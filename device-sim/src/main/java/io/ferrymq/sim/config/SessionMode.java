package io.ferrymq.sim.config;

import java.util.List;

/** Clean sessions start empty on every connect; persistent sessions keep subscriptions and queued messages. */
public enum SessionMode implements Named {
    CLEAN("clean"),
    PERSISTENT("persistent");

    private final String name;

    SessionMode(String name) {
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
