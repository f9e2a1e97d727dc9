package io.ferrymq.sim.fleet;

import io.ferrymq.sim.client.BrokerUnreachableException;
import io.ferrymq.sim.client.ClientEngine;
import io.ferrymq.sim.config.ChurnMode;
import io.ferrymq.sim.config.Engine;
import io.ferrymq.sim.config.FleetConfig;
import io.ferrymq.sim.payload.SimClock;
import io.ferrymq.sim.report.Metrics;
import io.ferrymq.sim.report.ReportBuilder;
import io.ferrymq.sim.report.RunReport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run, in phases: start the subscribers and the operator, ramp up the devices, publish with churn and
 * commands until the duration or message count is reached, bring churned devices back, drain, check the
 * retained statuses, disconnect everyone, report.
 */
final class FleetRun {
    private static final Logger LOG = LoggerFactory.getLogger(FleetRun.class);
    private static final long START_TIMEOUT_SECONDS = 30;

    private final FleetConfig config;
    private final Consumer<Progress> progressListener;
    private final Metrics metrics = new Metrics();
    private final Random random;
    private final String runId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    private final List<Device> devices = new ArrayList<>();
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private final CountDownLatch devicesFinished;
    private final ProgressMeter progressMeter;
    private FleetContext fleet;
    private Operator operator;
    private volatile String phase = "starting";

    FleetRun(FleetConfig config, Consumer<Progress> progressListener) {
        this.config = config;
        this.progressListener = progressListener;
        this.random = new Random(config.seed());
        this.devicesFinished = new CountDownLatch(config.devices().count());
        this.progressMeter = new ProgressMeter(metrics, config.devices().count());
    }

    RunReport execute() {
        FleetConfig.Broker broker = config.broker();
        ClientEngine deviceEngine = ClientEngine.create(config.devices().engine(), broker.host(), broker.port());
        ClientEngine observerEngine = config.devices().engine() == Engine.PAHO ? deviceEngine
                : ClientEngine.create(Engine.PAHO, broker.host(), broker.port());
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "fleet-scheduler");
            thread.setDaemon(true);
            return thread;
        });
        try {
            fleet = createContext(deviceEngine, observerEngine, scheduler);
            return runPhases();
        } finally {
            scheduler.shutdownNow();
            deviceEngine.close();
            if (observerEngine != deviceEngine) {
                observerEngine.close();
            }
        }
    }

    private FleetContext createContext(ClientEngine deviceEngine, ClientEngine observerEngine,
                                       ScheduledExecutorService scheduler) {
        List<String> subscriberIds = new ArrayList<>();
        for (int i = 1; i <= config.subscribers().count(); i++) {
            subscriberIds.add("sim-subscriber-" + runId + "-" + i);
        }
        Verification verification = new Verification(config.verify(), metrics);
        return new FleetContext(config, deviceEngine, observerEngine, verification, metrics, scheduler,
                List.copyOf(subscriberIds), "sim-operator-" + runId);
    }

    private RunReport runPhases() {
        long startNanos = System.nanoTime();
        startObservers();
        createDevices();
        tasks.add(fleet.scheduler().scheduleAtFixedRate(this::reportProgress, 1, 1, TimeUnit.SECONDS));

        phase = "publishing";
        long publishStartNanos = System.nanoTime();
        rampUp();
        startChurn();
        startCommands();
        awaitEnd(publishStartNanos);
        double publishSeconds = (System.nanoTime() - publishStartNanos) / 1e9;

        phase = "draining";
        stopTraffic();
        awaitReconnects();
        drain();
        if (config.telemetry().retainedStatus() && config.verify()) {
            phase = "checking retained";
            RetainedCheck.run(fleet, "sim-retained-" + runId, devices);
        }
        phase = "stopping";
        tasks.forEach(task -> task.cancel(false));
        shutdown();
        double totalSeconds = (System.nanoTime() - startNanos) / 1e9;
        return ReportBuilder.build(config, metrics, fleet.verification().result(), publishSeconds, totalSeconds);
    }

    private void startObservers() {
        Verification verification = fleet.verification();
        int slowCount = config.subscribers().slowCount();
        for (int i = 0; i < fleet.subscriberIds().size(); i++) {
            String id = fleet.subscriberIds().get(i);
            verification.addReceiver(id, config.subscribers().qos());
            subscribers.add(new Subscriber(fleet, id,
                    i < slowCount ? config.subscribers().slowDelay() : java.time.Duration.ZERO));
        }
        awaitStart(subscribers.get(0).id, subscribers.get(0).start());
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (Subscriber subscriber : subscribers.subList(1, subscribers.size())) {
            starts.add(subscriber.start());
        }
        if (config.commands().enabled()) {
            verification.addReceiver(fleet.operatorId(), config.commands().qos());
            operator = new Operator(fleet);
            starts.add(operator.start());
        }
        awaitStart("subscribers", CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)));
    }

    /** Waits for an observer to connect and subscribe; an I/O failure here means the broker is unreachable. */
    private void awaitStart(String what, CompletableFuture<Void> start) {
        FleetConfig.Broker broker = config.broker();
        try {
            start.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (hasIoCause(e)) {
                throw new BrokerUnreachableException(broker.host(), broker.port(), e.getCause());
            }
            throw new FleetException("Client " + what + " failed to connect to " + broker.host() + ":"
                    + broker.port() + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new BrokerUnreachableException(broker.host(), broker.port(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetException("Interrupted while connecting " + what, e);
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

    private void createDevices() {
        Verification verification = fleet.verification();
        for (int number = 1; number <= config.devices().count(); number++) {
            Device device = new Device(fleet, number, devicesFinished::countDown);
            devices.add(device);
            verification.addReceiver(device.id, config.commands().qos());
            verification.addStream(device.id, device.telemetryTopic, fleet.subscriberIds());
            verification.addStream(device.id, device.statusTopic, fleet.subscriberIds());
            if (config.commands().enabled()) {
                verification.addStream(fleet.operatorId(), device.commandTopic, List.of(device.id));
                verification.addStream(device.id, device.replyTopic, List.of(fleet.operatorId()));
            }
        }
    }

    /** Starts devices at the ramp-up rate; a rate of 0 starts them all at once. */
    private void rampUp() {
        double rate = config.limits().rampUpRate();
        for (int i = 0; i < devices.size(); i++) {
            Device device = devices.get(i);
            long delayMicros = rate > 0 ? (long) (i * 1_000_000 / rate) : 0;
            fleet.scheduler().schedule(device::start, delayMicros, TimeUnit.MICROSECONDS);
        }
    }

    private void startChurn() {
        if (!config.churn().enabled()) {
            return;
        }
        long periodMicros = (long) (1_000_000 / config.churn().rate());
        tasks.add(fleet.scheduler().scheduleAtFixedRate(this::churnOne, periodMicros, periodMicros,
                TimeUnit.MICROSECONDS));
    }

    private void churnOne() {
        ChurnMode mode = config.churn().mode();
        boolean drop = mode == ChurnMode.DROP || (mode == ChurnMode.MIXED && random.nextBoolean());
        for (int attempt = 0; attempt < 10; attempt++) {
            if (devices.get(random.nextInt(devices.size())).churn(drop)) {
                return;
            }
        }
    }

    private void startCommands() {
        if (!config.commands().enabled()) {
            return;
        }
        long periodMicros = (long) (1_000_000 / config.commands().rate());
        tasks.add(fleet.scheduler().scheduleAtFixedRate(this::commandOne, periodMicros, periodMicros,
                TimeUnit.MICROSECONDS));
    }

    private void commandOne() {
        for (int attempt = 0; attempt < 10; attempt++) {
            Device device = devices.get(random.nextInt(devices.size()));
            if (device.acceptsCommands()) {
                operator.sendCommand(device);
                return;
            }
        }
    }

    private void awaitEnd(long publishStartNanos) {
        long durationNanos = config.limits().duration().toNanos();
        try {
            if (durationNanos == 0) {
                devicesFinished.await();
            } else {
                long remaining = durationNanos - (System.nanoTime() - publishStartNanos);
                devicesFinished.await(Math.max(0, remaining), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopTraffic() {
        tasks.forEach(task -> task.cancel(false));
        tasks.clear();
        tasks.add(fleet.scheduler().scheduleAtFixedRate(this::reportProgress, 1, 1, TimeUnit.SECONDS));
        devices.forEach(Device::stopPublishing);
    }

    /**
     * Gives churned devices time to return, so messages queued in their persistent sessions can arrive. Also
     * waits until each device has published its online status, which the drain cannot wait for before the
     * publish starts. A status published after the retained check subscribed reaches it without the retain flag.
     */
    private void awaitReconnects() {
        long deadline = System.nanoTime() + config.churn().offlineTime().toNanos() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && devices.stream().anyMatch(device -> !device.isSettled())) {
            pause(50);
        }
    }

    /** Waits until no owed message is missing and no publish is in flight, or the drain time is over. */
    private void drain() {
        long deadline = System.nanoTime() + config.limits().drain().toNanos();
        while (System.nanoTime() < deadline) {
            long inFlight = metrics.published.sum() - metrics.acknowledged.sum() - metrics.publishFailures.sum();
            if (inFlight <= 0 && fleet.verification().outstanding() == 0) {
                return;
            }
            pause(100);
        }
        LOG.info("Drain time of {} over with {} owed messages still missing", config.limits().drain(),
                fleet.verification().outstanding());
    }

    private void shutdown() {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        devices.forEach(device -> stops.add(device.stop()));
        subscribers.forEach(subscriber -> stops.add(subscriber.stop()));
        if (operator != null) {
            stops.add(operator.stop());
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Not every client disconnected cleanly: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void reportProgress() {
        markSteadyOnceConnected();
        try {
            progressListener.accept(progressMeter.next(phase, fleet.verification()));
        } catch (RuntimeException e) {
            LOG.warn("Progress listener failed: {}", e.toString());
        }
    }

    /**
     * Starts the steady phase of the latency figures 2 s after the last device's first connect, which leaves
     * the backlog of the connect storm out of them.
     */
    private void markSteadyOnceConnected() {
        if (metrics.connects.sum() - metrics.reconnects.sum() >= config.devices().count()) {
            metrics.markSteady(SimClock.nowMicros() + TimeUnit.SECONDS.toMicros(2));
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
