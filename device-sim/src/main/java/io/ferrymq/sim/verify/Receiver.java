package io.ferrymq.sim.verify;

import java.util.ArrayList;
import java.util.List;

/** A subscribing client as the verifier sees it; owned by {@link DeliveryVerifier}. */
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
