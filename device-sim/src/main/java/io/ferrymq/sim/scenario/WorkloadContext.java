package io.ferrymq.sim.scenario;

import io.ferrymq.sim.client.BrokerUnreachableException;
import io.ferrymq.sim.client.ClientEngine;
import io.ferrymq.sim.client.ClientListener;
import io.ferrymq.sim.client.ClientSettings;
import io.ferrymq.sim.client.SimClient;
import io.ferrymq.sim.config.Engine;
import io.ferrymq.sim.config.MqttVersion;
import io.ferrymq.sim.fleet.FleetException;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What a workload runs with: the broker address, its settings, a seeded random source, a scheduler and MQTT 5
 * Paho clients. Topic names and client ids start with {@link #runId()}, so runs against the same broker, and
 * the persistent sessions they leave behind, never see each other's messages.
 */
public final class WorkloadContext implements AutoCloseable {
    private static final Duration SESSION_EXPIRY = Duration.ofMinutes(10);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(30);

    private final String host;
    private final int port;
    private final WorkloadSettings settings;
    private final Random random;
    private final String runId;
    private final ClientEngine engine;
    private final ScheduledExecutorService scheduler;

    public WorkloadContext(String host, int port, WorkloadSettings settings, long seed, String runId) {
        this.host = host;
        this.port = port;
        this.settings = settings;
        this.random = new Random(seed);
        this.runId = runId;
        this.engine = ClientEngine.create(Engine.PAHO, host, port);
        this.scheduler = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "workload-scheduler");
            thread.setDaemon(true);
            return thread;
        });
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public WorkloadSettings settings() {
        return settings;
    }

    /** Seeded random source; use it from the workload's own thread only. */
    public Random random() {
        return random;
    }

    public String runId() {
        return runId;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Creates an MQTT 5 client whose id is {@code role-runId-number}; a persistent one keeps its session 10 minutes. */
    public SimClient client(String clientId, boolean persistent, ClientListener listener) {
        return engine.create(new ClientSettings(clientId, MqttVersion.V5, persistent,
                persistent ? SESSION_EXPIRY : Duration.ZERO, KEEP_ALIVE, "", ""), listener);
    }

    public String clientId(String role, int number) {
        return role + "-" + runId + "-" + number;
    }

    /**
     * Waits for every future, such as the connects of all participants. A connection failure is reported as an
     * unreachable broker, anything else as a failed run.
     */
    public void await(Collection<? extends CompletableFuture<?>> futures, Duration timeout, String what)
            throws InterruptedException {
        CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
        try {
            all.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (hasIoCause(e)) {
                throw new BrokerUnreachableException(host, port, e.getCause());
            }
            throw new FleetException("Failed while " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new FleetException("Timed out after " + timeout.toSeconds() + " s while " + what + ".", e);
        }
    }

    private static boolean hasIoCause(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** Sleeps until {@code deadlineNanos} or until the condition holds, checking every 20 ms. */
    public static void awaitUntil(java.util.function.BooleanSupplier condition, long deadlineNanos)
            throws InterruptedException {
        while (!condition.getAsBoolean() && System.nanoTime() < deadlineNanos) {
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        engine.close();
    }
}
