package io.ferrymq.sim.verify;

import java.util.ArrayList;
import java.util.List;

/** Verifier state of one subscribing client; owned by {@link DeliveryVerifier}. */
final class Receiver {
    final String id;
    final int subscriptionQos;
    final List<Delivery> deliveries = new ArrayList<>();
    /** True while the receiver has a session with its subscriptions in place. */
    boolean subscribed;

    Receiver(String id, int subscriptionQos) {
        this.id = id;
        this.subscriptionQos = subscriptionQos;
    }
}
