package io.ferrymq.sim.client;

/**
 * Receives events of one client. Calls come from the engine's threads: one callback thread per client for
 * Paho, the client's event loop for Vert.x. A listener that blocks delays that client's acknowledgements.
 */
public interface ClientListener {
    void messageArrived(InboundMessage message);

    /** Called when the connection ended without a call to {@link SimClient#disconnect()}. */
    void connectionLost(Throwable cause);
}
