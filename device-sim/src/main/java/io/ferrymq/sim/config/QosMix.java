package io.ferrymq.sim.config;

import java.util.Random;

/**
 * Share of telemetry messages published at each QoS level, as weights that add up to 100.
 *
 * @param weights weight of QoS 0, 1 and 2 at index 0, 1 and 2
 */
public record QosMix(int[] weights) {

    public static QosMix single(int qos) {
        int[] weights = new int[3];
        weights[qos] = 100;
        return new QosMix(weights);
    }

    /** Picks a QoS level with the configured weights. */
    public int pick(Random random) {
        int roll = random.nextInt(100);
        for (int qos = 0; qos < 3; qos++) {
            roll -= weights[qos];
            if (roll < 0) {
                return qos;
            }
        }
        return 2;
    }

    public int maxQos() {
        for (int qos = 2; qos > 0; qos--) {
            if (weights[qos] > 0) {
                return qos;
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (int qos = 0; qos < 3; qos++) {
            if (weights[qos] == 100) {
                return Integer.toString(qos);
            }
            if (weights[qos] > 0) {
                text.append(text.length() == 0 ? "" : ",").append(qos).append(':').append(weights[qos]);
            }
        }
        return text.toString();
    }
}
