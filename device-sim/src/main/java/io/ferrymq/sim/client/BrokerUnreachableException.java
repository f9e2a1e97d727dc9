package io.ferrymq.sim.client;

/** Failure to open a TCP connection to the broker: refused, unresolved or timed out. */
public final class BrokerUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BrokerUnreachableException(String host, int port, Throwable cause) {
        super("Cannot reach the MQTT broker at " + host + ":" + port + ": " + describe(cause)
                + ". Check --host and --port and that the broker is running.", cause);
    }

    private static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
