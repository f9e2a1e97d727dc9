package io.ferrymq.sim.config;

import java.util.List;

/** Client library that drives the simulated devices. */
public enum Engine implements Named {
    /** Eclipse Paho 1.2.5, one set of threads per client: MQTT 3.1.1 and 5, every churn mode. */
    PAHO("paho"),
    /** Vert.x MQTT client on a shared event loop: scales to 10,000 devices, MQTT 3.1.1 only, clean disconnects only. */
    VERTX("vertx");

    private final String name;

    Engine(String name) {
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
