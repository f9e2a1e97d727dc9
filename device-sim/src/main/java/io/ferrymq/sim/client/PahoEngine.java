package io.ferrymq.sim.client;

import io.ferrymq.sim.config.MqttVersion;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Eclipse Paho clients (mqttv3 for 3.1.1, mqttv5 for 5). Each client runs its own receiver, sender and
 * callback threads; the keep-alive pings of all clients share one scheduler, which saves a timer thread each.
 */
final class PahoEngine implements ClientEngine {
    /**
     * Paho logs through java.util.logging: every QoS 2 release at INFO, and every closed socket at SEVERE with a
     * stack trace, also for the connections that churn and the scenarios cut on purpose. The simulator logs each
     * failed connect and lost connection itself, with the client id and at a limited rate, so Paho's own lines
     * are turned off. The field holds the logger because java.util.logging keeps only weak references to
     * configured loggers.
     */
    private static final java.util.logging.Logger PAHO_LOG = quietPahoLogging();

    private final String serverUri;
    private final ScheduledExecutorService pingScheduler = Executors.newScheduledThreadPool(1, runnable -> {
        Thread thread = new Thread(runnable, "paho-ping");
        thread.setDaemon(true);
        return thread;
    });

    PahoEngine(String host, int port) {
        String address = host.contains(":") ? "[" + host + "]" : host;
        this.serverUri = "tcp://" + address + ":" + port;
    }

    private static java.util.logging.Logger quietPahoLogging() {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("org.eclipse.paho");
        logger.setLevel(java.util.logging.Level.OFF);
        return logger;
    }

    @Override
    public SimClient create(ClientSettings settings, ClientListener listener) {
        if (settings.version() == MqttVersion.V5) {
            return new PahoV5Client(serverUri, settings, listener, pingScheduler);
        }
        return new PahoV3Client(serverUri, settings, listener, pingScheduler);
    }

    @Override
    public boolean supportsDrop() {
        return true;
    }

    @Override
    public void close() {
        pingScheduler.shutdownNow();
        try {
            pingScheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
