package io.ferrymq.sim.payload;

/** Purpose of a simulated message, stored as one byte in the payload. */
public enum PayloadKind {
    TELEMETRY,
    STATUS_ONLINE,
    STATUS_OFFLINE,
    /** A will published by the broker; its sequence number is the connection number of the device. */
    WILL,
    COMMAND,
    REPLY
}
