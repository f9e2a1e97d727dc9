package io.ferrymq.sim.fleet;

import io.ferrymq.sim.client.ClientEngine;
import io.ferrymq.sim.config.FleetConfig;
import io.ferrymq.sim.report.Metrics;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Shared services and identities of one run's participants.
 *
 * @param deviceEngine     clients of the simulated devices
 * @param observerEngine   Paho clients of subscribers, operator and retained check
 * @param subscriberIds    receivers of telemetry, status and wills
 * @param operatorId       receiver of replies and publisher of commands
 */
record FleetContext(FleetConfig config, ClientEngine deviceEngine, ClientEngine observerEngine,
                    Verification verification, Metrics metrics, ScheduledExecutorService scheduler,
                    List<String> subscriberIds, String operatorId) {
}
