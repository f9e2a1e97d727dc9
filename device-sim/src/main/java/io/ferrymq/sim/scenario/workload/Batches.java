package io.ferrymq.sim.scenario.workload;

import io.ferrymq.sim.scenario.WorkloadContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Starts many client operations (connects, subscribes) with at most a given number in progress, so that a
 * thousand clients connecting at once do not time each other out on a small machine.
 */
final class Batches {
    private Batches() {
    }

    static void run(WorkloadContext context, List<Supplier<CompletableFuture<?>>> operations, int parallel,
                    Duration timeout, String what) throws InterruptedException {
        Semaphore permits = new Semaphore(parallel);
        List<CompletableFuture<?>> started = new ArrayList<>();
        for (Supplier<CompletableFuture<?>> operation : operations) {
            permits.acquire();
            CompletableFuture<?> future = operation.get();
            future.whenComplete((done, error) -> permits.release());
            started.add(future);
        }
        context.await(started, timeout, what);
    }
}
