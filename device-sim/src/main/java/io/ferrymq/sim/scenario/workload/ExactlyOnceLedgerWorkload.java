package io.ferrymq.sim.scenario.workload;

import io.ferrymq.sim.client.ClientListener;
import io.ferrymq.sim.client.InboundMessage;
import io.ferrymq.sim.client.OutboundMessage;
import io.ferrymq.sim.client.SimClient;
import io.ferrymq.sim.payload.SimClock;
import io.ferrymq.sim.report.Metrics;
import io.ferrymq.sim.scenario.Measurements;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishers send numbered transactions, half of them at QoS 2 and half at QoS 1 with a {@code message-id} user
 * property, while their connections are reset at random. Right after handing a transaction to the client, a
 * publisher resets its socket with probability {@code cut-share}, so the cut catches that transaction before its
 * acknowledgement. A consumer on a persistent session books each transaction it receives, and the targets count
 * the transactions booked twice or never.
 *
 * <p>A publish cut off before its acknowledgement is in doubt. The client library resends it with the same packet
 * id when the session resumes, which QoS 2 makes exactly once. A QoS 1 publisher also sends it again itself with
 * the same message id, as an application does that cannot tell whether the broker got it. Only a broker that
 * drops repeats of a message id (FerryMQ's dedup extension) then books that transaction once.
 */
final class ExactlyOnceLedgerWorkload implements Workload {
    private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceLedgerWorkload.class);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(10);

    @Override
    public String name() {
        return "exactly-once-ledger";
    }

    @Override
    public List<String> metrics() {
        return List.of(Measurements.LATENCY_P50, Measurements.LATENCY_P99, Measurements.LATENCY_MAX,
                Measurements.LOST, Measurements.DUPLICATED, "qos1-duplicated", "qos2-duplicated", "qos1-lost",
                "qos2-lost");
    }

    @Override
    public Measurements run(WorkloadContext context) throws InterruptedException {
        return new Run(context).execute();
    }

    /**
     * Whether a failed publish never reached the client's session state, so that the library will not resend it:
     * the client was not connected, or more publishes were in flight than the broker's Receive Maximum allows.
     */
    static boolean neverSent(Throwable error) {
        Throwable cause = error instanceof ExecutionException ? error.getCause() : error;
        if (!(cause instanceof MqttException mqtt)) {
            return false;
        }
        return mqtt.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED
                || mqtt.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT;
    }

    private static final class Run {
        private final WorkloadContext context;
        private final int publisherCount;
        private final int transactionsPerPublisher;
        private final double rate;
        private final double cutShare;
        private final Duration drain;
        private final String property;
        private final String topicPrefix;
        private final List<Publisher> publishers = new ArrayList<>();
        private final StreamTracker qos1Books = new StreamTracker();
        private final StreamTracker qos2Books = new StreamTracker();
        private final Histogram bookingLatency = new ConcurrentHistogram(3);
        private final LongAdder cuts = new LongAdder();
        private final LongAdder inDoubt = new LongAdder();
        private final LongAdder resent = new LongAdder();
        private volatile boolean stopping;

        Run(WorkloadContext context) {
            this.context = context;
            WorkloadSettings settings = context.settings();
            this.publisherCount = settings.size("publishers", 8, 2);
            this.transactionsPerPublisher = settings.size("transactions-per-publisher", 500, 1);
            this.rate = settings.rate("transaction-rate", "25/s");
            this.cutShare = settings.fraction("cut-share", "2%");
            this.drain = settings.duration("drain", "20s");
            this.property = settings.text("message-id-property", "message-id");
            this.topicPrefix = "ledger/" + context.runId() + "/";
        }

        Measurements execute() throws InterruptedException {
            Consumer consumer = new Consumer();
            context.await(List.of(consumer.start()), SETUP_TIMEOUT, "connecting the consumer");
            for (int number = 1; number <= publisherCount; number++) {
                publishers.add(new Publisher(number, number % 2 == 0 ? 1 : 2));
            }
            context.await(publishers.stream().map(Publisher::connect).toList(), SETUP_TIMEOUT,
                    "connecting the publishers");

            List<Thread> threads = new ArrayList<>();
            for (Publisher publisher : publishers) {
                Thread thread = new Thread(publisher::publishAll, "ledger-" + publisher.number);
                thread.setDaemon(true);
                thread.start();
                threads.add(thread);
            }
            for (Thread thread : threads) {
                thread.join();
            }

            long deadline = System.nanoTime() + drain.toNanos();
            WorkloadContext.awaitUntil(() -> qos1Books.missing() + qos2Books.missing() == 0, deadline);
            stopping = true;
            publishers.forEach(Publisher::stop);
            consumer.stop();
            return measurements();
        }

        private Measurements measurements() {
            Measurements measurements = new Measurements()
                    .latency(bookingLatency, "first send of a transaction to its booking")
                    .put("publishers", publisherCount, "publishers, half at QoS 2 and half at QoS 1 with message ids")
                    .put("transactions", (long) publisherCount * transactionsPerPublisher, "transactions sent")
                    .put("booked", qos1Books.received() + qos2Books.received(), "distinct transactions booked")
                    .put(Measurements.LOST, qos1Books.missing() + qos2Books.missing(), "transactions never booked")
                    .put(Measurements.DUPLICATED, qos1Books.duplicates() + qos2Books.duplicates(),
                            "transactions booked more than once")
                    .put("qos1-lost", qos1Books.missing(), "QoS 1 transactions never booked")
                    .put("qos2-lost", qos2Books.missing(), "QoS 2 transactions never booked")
                    .put("qos1-duplicated", qos1Books.duplicates(), "QoS 1 transactions booked more than once")
                    .put("qos2-duplicated", qos2Books.duplicates(), "QoS 2 transactions booked more than once")
                    .put("cuts", cuts.sum(), "publisher connections reset")
                    .put("in-doubt", inDoubt.sum(), "publishes cut off before their acknowledgement")
                    .put("resent", resent.sum(), "QoS 1 transactions the publisher sent again with the same id");
            return measurements;
        }

        private final class Consumer implements ClientListener {
            final SimClient client = context.client(context.clientId("ledger-consumer", 1), true, this);

            CompletableFuture<Void> start() {
                return client.connect(false, Optional.empty())
                        .thenCompose(present -> client.subscribe(Map.of(topicPrefix + "#", 2)));
            }

            void stop() {
                client.disconnect().orTimeout(10, TimeUnit.SECONDS).exceptionally(error -> null).join();
                client.close();
            }

            @Override
            public void messageArrived(InboundMessage message) {
                String[] fields = Messages.decode(message.payload());
                StreamTracker books = fields[1].equals("1") ? qos1Books : qos2Books;
                if (books.receive(fields[0], Integer.parseInt(fields[2])) != StreamTracker.Outcome.DUPLICATE) {
                    Metrics.recordMicros(bookingLatency, SimClock.nowMicros() - Long.parseLong(fields[3]));
                }
            }

            @Override
            public void connectionLost(Throwable cause) {
                LOG.warn("client=ledger-consumer connection lost: {}", cause.toString());
            }
        }

        private final class Publisher implements ClientListener {
            final int number;
            final int qos;
            final String id;
            final SimClient client;
            final Random random = new Random(context.random().nextLong());
            volatile boolean connected;

            Publisher(int number, int qos) {
                this.number = number;
                this.qos = qos;
                this.id = context.clientId("ledger-publisher", number);
                this.client = context.client(id, true, this);
            }

            /** Connects without clean start, so that the library keeps in-flight publishes across a reset. */
            CompletableFuture<Boolean> connect() {
                return client.connect(false, Optional.empty()).whenComplete((present, error) -> {
                    if (error == null) {
                        connected = true;
                    }
                });
            }

            @Override
            public void messageArrived(InboundMessage message) {
                // Publishers subscribe to nothing.
            }

            @Override
            public void connectionLost(Throwable cause) {
                connected = false;
                if (!stopping) {
                    context.scheduler().schedule(this::reconnect, 100, TimeUnit.MILLISECONDS);
                }
            }

            private void reconnect() {
                connect().whenComplete((present, error) -> {
                    if (error != null && !stopping) {
                        context.scheduler().schedule(this::reconnect, 300, TimeUnit.MILLISECONDS);
                    }
                });
            }

            /** Sends every transaction at the rate, each after the previous one completed or fell in doubt. */
            void publishAll() {
                long periodNanos = (long) (1e9 / rate);
                long start = System.nanoTime();
                for (int transaction = 1; transaction <= transactionsPerPublisher; transaction++) {
                    long wait = start + (transaction - 1) * periodNanos - System.nanoTime();
                    try {
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        book(transaction);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }

            private void book(int transaction) throws InterruptedException {
                OutboundMessage message = message(transaction, SimClock.nowMicros());
                (qos == 1 ? qos1Books : qos2Books).owe(id, transaction);
                boolean sentOnce = false;
                while (true) {
                    awaitConnected();
                    try {
                        CompletableFuture<Void> publish = client.publish(message);
                        if (random.nextDouble() < cutShare) {
                            cuts.increment();
                            client.drop();
                        }
                        publish.get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                        return;
                    } catch (ExecutionException | TimeoutException e) {
                        if (neverSent(e)) {
                            continue;
                        }
                        if (!sentOnce) {
                            inDoubt.increment();
                        }
                        if (qos == 2) {
                            return;
                        }
                        sentOnce = true;
                        resent.increment();
                    }
                }
            }

            /**
             * Builds a transaction's message on a topic name of its own. Eclipse Paho 1.2.5 replaces a repeated
             * topic name by a topic alias in the stored PUBLISH and resends it that way after a reconnect, which
             * MQTT 5 forbids. A topic name used once never gets an alias-only PUBLISH.
             */
            private OutboundMessage message(int transaction, long sentMicros) {
                String topic = topicPrefix + number + "/" + transaction;
                byte[] payload = Messages.encode(64, id, qos, transaction, sentMicros);
                Map<String, String> properties = qos == 1 ? Map.of(property, id + "-" + transaction) : Map.of();
                return new OutboundMessage(topic, payload, qos, false, Optional.empty(), Optional.empty(), properties);
            }

            private void awaitConnected() throws InterruptedException {
                while (!connected) {
                    Thread.sleep(10);
                }
            }

            void stop() {
                client.disconnect().orTimeout(10, TimeUnit.SECONDS).exceptionally(error -> null).join();
                client.close();
            }
        }
    }
}
