package io.ferrymq.sim.scenario;

import io.ferrymq.sim.client.OutboundMessage;
import io.ferrymq.sim.client.SimClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Publishes one client's messages in the order they were handed in, with at most {@link #WINDOW} QoS 1 or 2
 * publishes awaiting their acknowledgement. Paho fails a publish beyond the broker's Receive Maximum instead of
 * waiting. Its completion callbacks run on the thread that delivers messages, so a client that publishes in
 * reaction to a message must not wait on that thread. It hands the message to this outbox's thread instead.
 */
public final class Outbox implements AutoCloseable {
    /** Below the Receive Maximum of common brokers (Mosquitto's default is 20). */
    static final int WINDOW = 10;

    private final SimClient client;
    private final Semaphore window = new Semaphore(WINDOW);
    private final ExecutorService sender;

    public Outbox(SimClient client, String name) {
        this.client = client;
        this.sender = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "outbox-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Queues a publish; the future completes like {@link SimClient#publish}. */
    public CompletableFuture<Void> send(OutboundMessage message) {
        return send(message.qos(), () -> message);
    }

    /**
     * Queues a publish whose message is built only when it is sent, so that a send time in its payload leaves
     * out the time spent waiting in this outbox.
     */
    public CompletableFuture<Void> send(int qos, Supplier<OutboundMessage> message) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        sender.execute(() -> publish(qos, message, result));
        return result;
    }

    private void publish(int qos, Supplier<OutboundMessage> supplier, CompletableFuture<Void> result) {
        boolean windowed = qos > 0;
        if (windowed) {
            try {
                window.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result.completeExceptionally(e);
                return;
            }
        }
        client.publish(supplier.get()).whenComplete((done, error) -> {
            if (windowed) {
                window.release();
            }
            if (error == null) {
                result.complete(null);
            } else {
                result.completeExceptionally(error);
            }
        });
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
