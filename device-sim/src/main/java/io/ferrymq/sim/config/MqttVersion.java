package io.ferrymq.sim.config;

import java.util.List;

public enum MqttVersion implements Named {
    V3_1_1("3.1.1", 4),
    V5("5", 5);

    private final String name;
    private final int protocolLevel;

    MqttVersion(String name, int protocolLevel) {
        this.name = name;
        this.protocolLevel = protocolLevel;
    }

    /** Protocol level byte of the CONNECT packet. */
    public int protocolLevel() {
        return protocolLevel;
    }

    @Override
    public List<String> names() {
        return this == V5 ? List.of("5", "5.0") : List.of("3.1.1", "311", "4");
    }

    @Override
    public String toString() {
        return name;
    }
}
