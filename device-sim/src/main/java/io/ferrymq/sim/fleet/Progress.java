package io.ferrymq.sim.fleet;

/**
 * Live figures of a running fleet, sent about once a second.
 *
 * @param missing    acknowledged messages owed at QoS 1 or 2 that have not arrived yet; they count as lost
 *                   only if still missing after the drain
 * @param publishRate messages published per second over the last interval
 * @param deliveryRate messages delivered per second over the last interval
 */
public record Progress(double elapsedSeconds, int devicesOnline, int devices, double publishRate,
                       double deliveryRate, long missing, long duplicated, String phase) {
}
