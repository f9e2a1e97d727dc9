package io.ferrymq.sim.scenario.workload;

import io.ferrymq.sim.client.ClientListener;
import io.ferrymq.sim.client.InboundMessage;
import io.ferrymq.sim.client.OutboundMessage;
import io.ferrymq.sim.client.SimClient;
import io.ferrymq.sim.payload.SimClock;
import io.ferrymq.sim.report.Metrics;
import io.ferrymq.sim.scenario.Measurements;
import io.ferrymq.sim.scenario.Outbox;
import io.ferrymq.sim.scenario.Workload;
import io.ferrymq.sim.scenario.WorkloadContext;
import io.ferrymq.sim.scenario.WorkloadSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Chat users on persistent sessions go offline, a number of messages queues up for each, and they come back and
 * drain their inbox. For every message a user sends a delivery receipt and a read receipt to the response topic
 * the sender set, its receipt topic. The messages of each conversation (one sender, one user) are numbered
 * from 1, so the workload detects a message that is lost, repeated or out of order.
 */
final class ChatOfflineDeliveryWorkload implements Workload {
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);

    @Override
    public String name() {
        return "chat-offline-delivery";
    }

    @Override
    public List<String> metrics() {
        return List.of(Measurements.LATENCY_P50, Measurements.LATENCY_P99, Measurements.LATENCY_MAX,
                Measurements.LOST, Measurements.DUPLICATED, "reordered", "receipts-missing");
    }

    @Override
    public Measurements run(WorkloadContext context) throws InterruptedException {
        return new Run(context).execute();
    }

    private static final class Run {
        private final WorkloadContext context;
        private final int userCount;
        private final int senderCount;
        private final WorkloadSettings.Range queued;
        private final int qos;
        private final Duration drain;
        private final Duration onlineTime;
        private final double reconnectRate;
        private final List<User> users = new ArrayList<>();
        private final List<Sender> senders = new ArrayList<>();
        private final StreamTracker conversations = new StreamTracker();
        private final Histogram receiptLatency = new ConcurrentHistogram(3);
        private final LongAdder acknowledged = new LongAdder();
        private final LongAdder receiptsSent = new LongAdder();
        private final LongAdder receiptsReceived = new LongAdder();

        Run(WorkloadContext context) {
            this.context = context;
            WorkloadSettings settings = context.settings();
            this.userCount = settings.size("users", 200, 1);
            this.senderCount = settings.size("senders", 10, 1);
            this.queued = settings.range("messages-per-user", "25-45");
            this.qos = settings.integer("qos", 1, 1, 2);
            this.drain = settings.duration("drain", "30s");
            this.onlineTime = settings.duration("online-time", "5s");
            this.reconnectRate = settings.rate("reconnect-rate", "20/s");
        }

        Measurements execute() throws InterruptedException {
            for (int number = 1; number <= senderCount; number++) {
                senders.add(new Sender(number));
            }
            for (int number = 1; number <= userCount; number++) {
                users.add(new User(number));
            }
            Batches.run(context, senders.stream().map(sender -> (Supplier<CompletableFuture<?>>) sender::start)
                    .toList(), 20, SETUP_TIMEOUT, "connecting the senders");
            Batches.run(context, users.stream().map(user -> (Supplier<CompletableFuture<?>>) user::start).toList(),
                    50, SETUP_TIMEOUT, "connecting the users");
            Batches.run(context, users.stream().map(user -> (Supplier<CompletableFuture<?>>) user.client::disconnect)
                    .toList(), 50, SETUP_TIMEOUT, "taking the users offline");

            long queuedTotal = queueMessages();
            long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos();
            WorkloadContext.awaitUntil(() -> acknowledged.sum() >= queuedTotal, deadline);

            long reconnectStart = System.nanoTime();
            reconnectUsers();
            long drainDeadline = System.nanoTime() + drain.toNanos();
            WorkloadContext.awaitUntil(() -> conversations.missing() == 0
                    && receiptsReceived.sum() >= receiptsSent.sum(), drainDeadline);
            double drainSeconds = (System.nanoTime() - reconnectStart) / 1e9;
            // Receipts of the last messages may still be in flight; the online time lets them land.
            WorkloadContext.awaitUntil(() -> receiptsReceived.sum() >= 2 * conversations.received(),
                    System.nanoTime() + onlineTime.toNanos());

            Batches.run(context, users.stream().map(user -> (Supplier<CompletableFuture<?>>) user::stop).toList(),
                    50, SETUP_TIMEOUT, "disconnecting the users");
            senders.forEach(Sender::stop);
            return measurements(queuedTotal, drainSeconds);
        }

        /** Brings the users back at the reconnect rate, as people opening the app one after another. */
        private void reconnectUsers() throws InterruptedException {
            long periodNanos = (long) (1e9 / reconnectRate);
            long start = System.nanoTime();
            List<CompletableFuture<?>> reconnects = new ArrayList<>();
            for (int i = 0; i < users.size(); i++) {
                long wait = start + i * periodNanos - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                reconnects.add(users.get(i).reconnect());
            }
            context.await(reconnects, SETUP_TIMEOUT, "bringing the users back");
        }

        /** Queues a random number of messages in the range for each user, each from a random sender. */
        private long queueMessages() {
            Random random = context.random();
            long total = 0;
            int[][] nextSeq = new int[senderCount][userCount];
            for (User user : users) {
                int count = queued.pick(random);
                for (int i = 0; i < count; i++) {
                    int senderIndex = random.nextInt(senderCount);
                    Sender sender = senders.get(senderIndex);
                    int seq = ++nextSeq[senderIndex][user.number - 1];
                    String conversation = sender.number + ">" + user.number;
                    OutboundMessage message = new OutboundMessage(user.inboxTopic,
                            Messages.encode(80, "msg", sender.number, seq, SimClock.nowMicros()), qos, false,
                            Optional.of(sender.receiptTopic), Optional.empty());
                    sender.outbox.send(message).whenComplete((done, error) -> {
                        if (error == null) {
                            acknowledged.increment();
                            conversations.owe(conversation, seq);
                        }
                    });
                    total++;
                }
            }
            return total;
        }

        private Measurements measurements(long queuedTotal, double drainSeconds) {
            long expectedReceipts = 2 * conversations.received();
            return new Measurements()
                    .latency(receiptLatency, "receipt from its PUBLISH by the user to the sender")
                    .put("users", userCount, "users on persistent sessions")
                    .put("messages-queued", queuedTotal, "messages sent while the users were offline")
                    .put("messages-acknowledged", acknowledged.sum(), "messages the broker acknowledged")
                    .put("messages-delivered", conversations.received(), "distinct messages the users received")
                    .put(Measurements.LOST, conversations.missing(), "acknowledged messages never delivered")
                    .put(Measurements.DUPLICATED, conversations.duplicates(), "messages delivered twice")
                    .put("reordered", conversations.reordered(),
                            "messages delivered after a later one of the same conversation")
                    .put("receipts", receiptsReceived.sum(), "delivery and read receipts the senders received")
                    .put("receipts-missing", Math.max(0, expectedReceipts - receiptsReceived.sum()),
                            "receipts owed for delivered messages that never reached their sender")
                    .put("drain-seconds", drainSeconds, "time from the first reconnect to the last delivery");
        }

        private final class Sender implements ClientListener {
            final int number;
            final String receiptTopic;
            final SimClient client;
            final Outbox outbox;

            Sender(int number) {
                this.number = number;
                this.receiptTopic = "chat/" + context.runId() + "/sender/" + number + "/receipts";
                this.client = context.client(context.clientId("sender", number), false, this);
                this.outbox = new Outbox(client, "sender-" + number);
            }

            CompletableFuture<Void> start() {
                return client.connect(true, Optional.empty())
                        .thenCompose(present -> client.subscribe(Map.of(receiptTopic, qos)));
            }

            void stop() {
                outbox.close();
                client.disconnect().orTimeout(10, TimeUnit.SECONDS).exceptionally(error -> null).join();
                client.close();
            }

            @Override
            public void messageArrived(InboundMessage message) {
                String[] fields = Messages.decode(message.payload());
                receiptsReceived.increment();
                Metrics.recordMicros(receiptLatency, SimClock.nowMicros() - Long.parseLong(fields[3]));
            }

            @Override
            public void connectionLost(Throwable cause) {
                // Senders are not cut; missing receipts show a lost connection.
            }
        }

        private final class User implements ClientListener {
            final int number;
            final String inboxTopic;
            final SimClient client;
            final Outbox outbox;

            User(int number) {
                this.number = number;
                this.inboxTopic = "chat/" + context.runId() + "/user/" + number + "/inbox";
                this.client = context.client(context.clientId("user", number), true, this);
                this.outbox = new Outbox(client, "user-" + number);
            }

            CompletableFuture<Void> start() {
                return client.connect(false, Optional.empty())
                        .thenCompose(present -> client.subscribe(Map.of(inboxTopic, qos)));
            }

            CompletableFuture<Boolean> reconnect() {
                return client.connect(false, Optional.empty());
            }

            CompletableFuture<Void> stop() {
                outbox.close();
                return client.disconnect().orTimeout(10, TimeUnit.SECONDS).handle((done, error) -> {
                    client.close();
                    return null;
                });
            }

            @Override
            public void messageArrived(InboundMessage message) {
                String[] fields = Messages.decode(message.payload());
                String conversation = fields[1] + ">" + number;
                StreamTracker.Outcome outcome = conversations.receive(conversation, Integer.parseInt(fields[2]));
                if (outcome == StreamTracker.Outcome.DUPLICATE || message.responseTopic().isEmpty()) {
                    return;
                }
                String receiptTopic = message.responseTopic().get();
                for (String kind : List.of("delivered", "read")) {
                    receiptsSent.increment();
                    outbox.send(qos, () -> OutboundMessage.of(receiptTopic,
                            Messages.encode(48, kind, fields[2], number, SimClock.nowMicros()), qos, false));
                }
            }

            @Override
            public void connectionLost(Throwable cause) {
                // Users leave with DISCONNECT only; a lost connection shows up as missing receipts.
            }
        }
    }
}
