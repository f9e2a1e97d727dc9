package io.ferrymq.sim.fleet;

/** A run that could not start or finish, for a reason other than an unreachable broker. */
public final class FleetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FleetException(String message, Throwable cause) {
        super(message, cause);
    }
}
