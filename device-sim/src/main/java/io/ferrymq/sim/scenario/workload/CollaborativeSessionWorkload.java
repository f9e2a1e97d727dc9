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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Editors of one document send operations to a sequencer client, which stamps each with the next number of the
 * document and republishes it on the document topic. MQTT keeps one publisher's messages on one topic in order,
 * so every editor must see the stamps 1, 2, 3, ... with no gap, no repeat and in the same order. An operation's
 * payload starts with the editor number, the operation number and the send time in base-36 microseconds, 17 to
 * 20 bytes, so that operations as small as 20 bytes carry what the check needs.
 */
final class CollaborativeSessionWorkload implements Workload {
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(60);

    @Override
    public String name() {
        return "collaborative-session";
    }

    @Override
    public List<String> metrics() {
        return List.of(Measurements.LATENCY_P50, Measurements.LATENCY_P99, Measurements.LATENCY_MAX,
                Measurements.LOST, Measurements.DUPLICATED, "reordered", "divergent-editors", "operations-unstamped");
    }

    @Override
    public Measurements run(WorkloadContext context) throws InterruptedException {
        return new Run(context).execute();
    }

    private static final class Run {
        private final WorkloadContext context;
        private final int editorCount;
        private final double minRate;
        private final double maxRate;
        private final WorkloadSettings.Range operationBytes;
        private final Duration duration;
        private final Duration drain;
        private final String submitTopic;
        private final String documentTopic;
        private final List<Editor> editors = new ArrayList<>();
        /** Each editor's view of the document: stream = editor id, numbers = stamps. */
        private final StreamTracker views = new StreamTracker();
        private final StreamTracker submissions = new StreamTracker();
        private final Histogram propagation = new ConcurrentHistogram(3);
        private final AtomicInteger stamps = new AtomicInteger();
        private final LongAdder submitted = new LongAdder();

        Run(WorkloadContext context) {
            this.context = context;
            WorkloadSettings settings = context.settings();
            this.editorCount = settings.size("editors", 50, 2);
            this.minRate = settings.rate("min-operation-rate", "0.5/s");
            this.maxRate = Math.max(minRate, settings.rate("max-operation-rate", "3/s"));
            this.operationBytes = settings.range("operation-bytes", "20-200");
            this.duration = settings.duration("duration", "30s");
            this.drain = settings.duration("drain", "10s");
            this.submitTopic = "docs/" + context.runId() + "/doc-1/submit";
            this.documentTopic = "docs/" + context.runId() + "/doc-1/operations";
        }

        Measurements execute() throws InterruptedException {
            Sequencer sequencer = new Sequencer();
            context.await(List.of(sequencer.start()), SETUP_TIMEOUT, "connecting the sequencer");
            for (int number = 1; number <= editorCount; number++) {
                editors.add(new Editor(number, new Random(context.random().nextLong())));
            }
            Batches.run(context, editors.stream().map(editor -> (Supplier<CompletableFuture<?>>) editor::start)
                    .toList(), 20, SETUP_TIMEOUT, "connecting the editors");

            List<ScheduledFuture<?>> typing = new ArrayList<>();
            for (Editor editor : editors) {
                long periodMicros = (long) (1e6 / editor.rate);
                long firstMicros = (long) (editor.random.nextDouble() * periodMicros);
                typing.add(context.scheduler().scheduleAtFixedRate(editor::submit, firstMicros, periodMicros,
                        TimeUnit.MICROSECONDS));
            }
            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
            typing.forEach(task -> task.cancel(false));

            long deadline = System.nanoTime() + drain.toNanos();
            WorkloadContext.awaitUntil(() -> submissions.missing() == 0 && everyEditorHasAll(), deadline);
            Batches.run(context, editors.stream().map(editor -> (Supplier<CompletableFuture<?>>) editor::stop)
                    .toList(), 20, SETUP_TIMEOUT, "disconnecting the editors");
            sequencer.stop();
            return measurements();
        }

        private boolean everyEditorHasAll() {
            owePublishedStamps();
            return views.missing() == 0;
        }

        /** Records every stamp the sequencer issued so far as owed to every editor. */
        private void owePublishedStamps() {
            int issued = stamps.get();
            for (Editor editor : editors) {
                for (int stamp = editor.owedUpTo + 1; stamp <= issued; stamp++) {
                    views.owe(editor.id, stamp);
                }
                editor.owedUpTo = issued;
            }
        }

        private Measurements measurements() {
            owePublishedStamps();
            return new Measurements()
                    .latency(propagation, "operation from its editor through the sequencer to each editor")
                    .put("editors", editorCount, "editors of the document")
                    .put("operations", submitted.sum(), "operations the editors sent")
                    .put("stamped", stamps.get(), "operations the sequencer stamped and republished")
                    .put("operations-unstamped", submissions.missing(),
                            "acknowledged operations the sequencer never received")
                    .put(Measurements.LOST, views.missing(), "stamps missing from an editor's view (gaps)")
                    .put(Measurements.DUPLICATED, views.duplicates(), "stamps an editor received twice")
                    .put("reordered", views.reordered(), "stamps an editor received after a higher one")
                    .put("divergent-editors", views.faultyStreams(),
                            "editors whose sequence differs from the sequencer's");
        }

        private final class Sequencer implements ClientListener {
            final SimClient client = context.client(context.clientId("sequencer", 1), false, this);
            final Outbox outbox = new Outbox(client, "sequencer");

            CompletableFuture<Void> start() {
                return client.connect(true, Optional.empty())
                        .thenCompose(present -> client.subscribe(Map.of(submitTopic, 1)));
            }

            void stop() {
                outbox.close();
                client.disconnect().orTimeout(10, TimeUnit.SECONDS).exceptionally(error -> null).join();
                client.close();
            }

            /**
             * Stamps on the client's callback thread, which delivers in arrival order, and hands the stamped
             * operation to the outbox, which publishes in the order it was given.
             */
            @Override
            public void messageArrived(InboundMessage message) {
                String[] fields = Messages.decode(message.payload());
                if (submissions.receive(fields[0], Integer.parseInt(fields[1])) == StreamTracker.Outcome.DUPLICATE) {
                    return;
                }
                int stamp = stamps.incrementAndGet();
                outbox.send(OutboundMessage.of(documentTopic,
                        Messages.encode(message.payload().length + 8, stamp, fields[0], fields[2]), 1, false));
            }

            @Override
            public void connectionLost(Throwable cause) {
                // The sequencer is never cut; gaps in the editors' views show a lost connection.
            }
        }

        private final class Editor implements ClientListener {
            final int number;
            final String id;
            final Random random;
            final double rate;
            final SimClient client;
            final Outbox outbox;
            int nextOperation;
            /** Highest stamp already owed to this editor; touched only by the workload's thread. */
            int owedUpTo;

            Editor(int number, Random random) {
                this.number = number;
                this.id = context.clientId("editor", number);
                this.random = random;
                this.rate = minRate + random.nextDouble() * (maxRate - minRate);
                this.client = context.client(id, false, this);
                this.outbox = new Outbox(client, id);
            }

            CompletableFuture<Void> start() {
                return client.connect(true, Optional.empty())
                        .thenCompose(present -> client.subscribe(Map.of(documentTopic, 1)));
            }

            /** Sends one operation; runs on the scheduler, one call at a time per editor. */
            void submit() {
                int operation = ++nextOperation;
                int size = operationBytes.pick(random);
                submitted.increment();
                outbox.send(OutboundMessage.of(submitTopic,
                        Messages.encode(size, number, operation, Long.toString(SimClock.nowMicros(), 36)), 1,
                        false))
                        .whenComplete((done, error) -> {
                            if (error == null) {
                                submissions.owe(Integer.toString(number), operation);
                            }
                        });
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
                views.receive(id, Integer.parseInt(fields[0]));
                Metrics.recordMicros(propagation, SimClock.nowMicros() - Long.parseLong(fields[2], 36));
            }

            @Override
            public void connectionLost(Throwable cause) {
                // Editors are not cut; gaps in their views show a lost connection.
            }
        }
    }
}
