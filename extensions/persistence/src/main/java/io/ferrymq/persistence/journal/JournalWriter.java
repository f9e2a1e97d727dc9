package io.ferrymq.persistence.journal;

import io.ferrymq.persistence.state.StoreImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of the journal: appends records in the order they were submitted, forces them
 * to disk in groups, applies them to the {@link StoreImage}, then completes the waiting futures.
 *
 * <p>Threading: {@link #submit} is called from any thread; it only encodes and queues. Everything
 * else, the open segment and the image included, belongs to the writer thread.
 *
 * <p>Inbound QoS 2 marks are written one batch late. The broker records the packet id before it
 * routes the publish, and on a resend after a restart a known id means "already routed". If the id
 * reached the disk in one batch and the queued copies of the message were submitted just after that
 * batch was taken, a kill between the two writes would keep the id but lose the message. Held back
 * one batch, the id lands after the copies that were submitted together with it.
 */
public final class JournalWriter implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JournalWriter.class);
  private static final int MAX_BATCH_BYTES = 4 << 20;

  /** Takes a snapshot that covers every segment before {@code journalFrom}. */
  public interface CheckpointSink {
    /**
     * @param takenAtMillis wall-clock time of the snapshot; messages expired by then are left out,
     *     since the broker will not send them from then on either
     */
    CompletableFuture<Void> write(StoreImage snapshot, long journalFrom, long takenAtMillis);
  }

  /** Receives the duration and size of each group forced to disk; called on the writer thread. */
  public interface CommitObserver {
    void committed(long durationNanos, int records);
  }

  private record Entry(byte[] record, Change change, CompletableFuture<Void> done) {
  }

  private final Path dir;
  private final StoreImage image;
  private final FsyncMode mode;
  private final long commitIntervalNanos;
  private final long checkpointBytes;
  private final long checkpointIntervalNanos;
  private final CheckpointSink checkpoints;
  private volatile CommitObserver commitObserver = (nanos, records) -> { };

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queued = lock.newCondition();
  private ArrayDeque<Entry> queue = new ArrayDeque<>();
  private volatile boolean closing;
  private CompletableFuture<Void> checkpointRequest;

  // Owned by the writer thread.
  private final Thread thread;
  private SegmentFile segment;
  private long bytesSinceCheckpoint;
  private long lastCheckpointNanos = System.nanoTime();
  private CompletableFuture<Void> runningCheckpoint = CompletableFuture.completedFuture(null);
  private List<CompletableFuture<Void>> dueRequests = new ArrayList<>();
  private List<Entry> deferred = new ArrayList<>();
  private final ArrayDeque<Entry> retry = new ArrayDeque<>();
  private volatile long journalBytes;
  private boolean unforced;
  private long failedWrites;
  private long lastFailureLogNanos;

  /**
   * Opens a new segment numbered {@code segment} and starts the writer thread.
   *
   * @param bytesSinceCheckpoint journal bytes recovery replayed, so a checkpoint follows soon when many
   */
  public JournalWriter(Path dir, long segment, StoreImage image, FsyncMode mode, long commitIntervalMillis,
                       long checkpointBytes, long checkpointIntervalMillis, long bytesSinceCheckpoint,
                       CheckpointSink checkpoints) throws IOException {
    this.dir = dir;
    this.image = image;
    this.mode = mode;
    this.commitIntervalNanos = TimeUnit.MILLISECONDS.toNanos(commitIntervalMillis);
    this.checkpointBytes = checkpointBytes;
    this.checkpointIntervalNanos = TimeUnit.MILLISECONDS.toNanos(checkpointIntervalMillis);
    this.checkpoints = checkpoints;
    this.bytesSinceCheckpoint = bytesSinceCheckpoint;
    this.segment = SegmentFile.create(dir, segment);
    this.thread = new Thread(this::run, "ferrymq-journal");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues a change.
   *
   * @param durable whether the caller waits for the commit
   * @return completes after the change is on disk, or fails with {@link DiskFullException} when the
   *     disk is full and {@link StoreWriteException} on other write errors;
   *     {@code null} when {@code durable} is false
   */
  public CompletableFuture<Void> submit(Change change, boolean durable) {
    byte[] record = RecordCodec.encode(change);
    CompletableFuture<Void> done = durable ? new CompletableFuture<>() : null;
    lock.lock();
    try {
      if (closing) {
        IllegalStateException closed = new IllegalStateException("the persistence store is closed");
        if (done != null) {
          done.completeExceptionally(closed);
          return done;
        }
        throw closed;
      }
      queue.add(new Entry(record, change, done));
      if (queue.size() == 1) {
        queued.signal();
      }
    } finally {
      lock.unlock();
    }
    return done;
  }

  /** Sets who learns of each group forced to disk. */
  public void observeCommits(CommitObserver observer) {
    this.commitObserver = observer;
  }

  /** Starts a checkpoint after the records queued so far; completes when it is written. */
  public CompletableFuture<Void> checkpoint() {
    lock.lock();
    try {
      if (checkpointRequest == null) {
        checkpointRequest = new CompletableFuture<>();
        queued.signal();
      }
      return checkpointRequest;
    } finally {
      lock.unlock();
    }
  }

  /** Bytes written to the journal since the last checkpoint, for tests and gauges. */
  public long journalBytes() {
    return journalBytes;
  }

  private void run() {
    try {
      while (true) {
        List<Entry> batch = takeBatch();
        if (batch == null) {
          break;
        }
        if (batch.isEmpty()) {
          forceIfIdle();
        }
        writeBatch(batch);
        maybeCheckpoint();
      }
      flushOnClose();
    } catch (Throwable t) {
      log.error("journal writer failed and stopped; new changes fail until the broker restarts", t);
      failQueued(t);
    }
  }

  /** Waits for records, then takes every queued one; returns {@code null} once closed and drained. */
  private List<Entry> takeBatch() throws InterruptedException {
    lock.lock();
    try {
      // Wake up now and then to start a checkpoint that is due by time or waits for a running one.
      long idleWait = TimeUnit.MILLISECONDS.toNanos(unforced ? 5 : dueRequests.isEmpty() ? 200 : 10);
      while (queue.isEmpty() && retry.isEmpty() && deferred.isEmpty() && !closing && checkpointRequest == null) {
        if (queued.awaitNanos(idleWait) <= 0) {
          break;
        }
      }
      if (queue.isEmpty() && !deferred.isEmpty() && !closing) {
        // Give the routing that follows an inbound QoS 2 mark the chance to join this batch.
        queued.awaitNanos(Math.max(commitIntervalNanos, TimeUnit.MICROSECONDS.toNanos(200)));
      }
      if (mode == FsyncMode.GROUP && commitIntervalNanos > 0 && !queue.isEmpty() && !closing) {
        long deadline = System.nanoTime() + commitIntervalNanos;
        long left;
        while ((left = deadline - System.nanoTime()) > 0 && !closing && queuedBytes() < MAX_BATCH_BYTES) {
          queued.awaitNanos(left);
        }
      }
      if (closing && queue.isEmpty() && retry.isEmpty() && deferred.isEmpty()) {
        return null;
      }
      if (checkpointRequest != null) {
        // The request covers what was queued before it, which is all of this batch.
        dueRequests.add(checkpointRequest);
        checkpointRequest = null;
      }
      List<Entry> batch = new ArrayList<>(retry.size() + queue.size());
      batch.addAll(retry);
      retry.clear();
      batch.addAll(queue);
      queue = new ArrayDeque<>();
      return batch;
    } finally {
      lock.unlock();
    }
  }

  private long queuedBytes() {
    long total = 0;
    for (Entry e : queue) {
      total += e.record.length;
      if (total >= MAX_BATCH_BYTES) {
        break;
      }
    }
    return total;
  }

  /** Orders the batch (held-back inbound QoS 2 marks last), writes, forces and applies it. */
  private void writeBatch(List<Entry> fresh) {
    List<Entry> ordered = new ArrayList<>(fresh.size() + deferred.size());
    List<Entry> holdBack = new ArrayList<>();
    for (Entry e : fresh) {
      if (e.change instanceof Change.RemoveSession removal) {
        // Keep a held-back mark ahead of the removal of its session, as it was submitted.
        releaseDeferred(removal.clientId(), ordered);
      }
      if (e.change instanceof Change.AddInboundQos2 && !closing) {
        holdBack.add(e);
      } else {
        ordered.add(e);
      }
    }
    ordered.addAll(deferred);
    deferred = holdBack;
    if (ordered.isEmpty()) {
      return;
    }
    if (mode == FsyncMode.ALWAYS) {
      for (Entry e : ordered) {
        commit(List.of(e));
      }
    } else {
      commit(ordered);
    }
  }

  private void releaseDeferred(String clientId, List<Entry> ordered) {
    Iterator<Entry> it = deferred.iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (clientId.equals(e.change.clientId())) {
        ordered.add(e);
        it.remove();
      }
    }
  }

  private void commit(List<Entry> entries) {
    long start = segment.end();
    try {
      long begin = System.nanoTime();
      write(entries);
      boolean needsForce = completeAcknowledged(entries);
      if (mode == FsyncMode.ALWAYS || needsForce) {
        segment.force();
        unforced = false;
        reportCommit(System.nanoTime() - begin, entries.size());
      } else {
        // No caller waits for these records, so they ride on the next force instead of delaying the
        // acknowledgements queued behind them. Writes already survive a killed process; only a
        // power loss before that force can lose them, which costs a redelivery.
        unforced = true;
      }
    } catch (IOException e) {
      rollBack(start, e);
      fail(entries, e);
      return;
    }
    long written = 0;
    for (Entry e : entries) {
      e.change.applyTo(image);
      written += e.record.length;
    }
    bytesSinceCheckpoint += written;
    journalBytes = bytesSinceCheckpoint;
    for (Entry e : entries) {
      if (e.done != null) {
        e.done.complete(null);
      }
    }
  }

  private void reportCommit(long nanos, int records) {
    try {
      commitObserver.committed(nanos, records);
    } catch (RuntimeException e) {
      log.debug("commit observer failed error={}", e.toString());
    }
  }

  /**
   * Completes, before the force, the callers waiting for a queued message whose removal is in the
   * same group, and returns whether any other caller waits for a record of the group. Such a message
   * needs no force: its client has acknowledged it already, so a crash that loses both records
   * loses nothing, and one that keeps only the queued record causes a redelivery, which QoS 1
   * allows. A QoS 2 message cannot be removed in the group that queues it, since its PUBLISH waits
   * for a forced record of its packet id.
   */
  private boolean completeAcknowledged(List<Entry> entries) {
    Set<String> removed = null;
    for (Entry e : entries) {
      if (e.change instanceof Change.RemoveDelivery removal) {
        if (removed == null) {
          removed = new HashSet<>();
        }
        removed.add(deliveryKey(removal.clientId(), removal.deliveryId()));
      }
    }
    boolean othersWait = false;
    for (Entry e : entries) {
      if (e.done == null) {
        continue;
      }
      boolean acknowledgedAlready = removed != null && e.change instanceof Change.Enqueue queued
          && removed.contains(deliveryKey(queued.clientId(), queued.delivery().deliveryId()));
      if (acknowledgedAlready && mode == FsyncMode.GROUP) {
        e.done.complete(null);
      } else {
        othersWait = true;
      }
    }
    return othersWait;
  }

  private static String deliveryKey(String clientId, long deliveryId) {
    return deliveryId + "/" + clientId;
  }

  /** Forces records written without a force once the writer has nothing else to do. */
  private void forceIfIdle() {
    if (!unforced) {
      return;
    }
    try {
      segment.force();
      unforced = false;
    } catch (IOException e) {
      log.warn("journal force failed segment={} error={}", segment.file(), e.toString());
    }
  }

  private void write(List<Entry> entries) throws IOException {
    int size = 0;
    for (Entry e : entries) {
      size += e.record.length;
    }
    ByteBuffer buffer = ByteBuffer.allocate(size);
    for (Entry e : entries) {
      buffer.put(e.record);
    }
    buffer.flip();
    segment.append(buffer);
  }

  /** Cuts a partly written batch off the segment, so that later batches follow the last good record. */
  private void rollBack(long start, IOException cause) {
    try {
      segment.rollBack(start);
    } catch (IOException e) {
      cause.addSuppressed(e);
      log.error("journal segment {} could not be cut back to byte {} after a failed write; later records may be "
          + "unreadable after a restart", segment.file(), start, e);
    }
  }

  /** Fails the durable changes of a batch that could not be written; the others are tried again. */
  private void fail(List<Entry> entries, IOException cause) {
    logWriteFailure(entries.size(), cause);
    Exception failure = DiskFullException.isNoSpace(cause)
        ? new DiskFullException("the journal write failed because the disk is full: " + cause.getMessage(), cause)
        : new StoreWriteException("the journal write failed: " + cause.getMessage(), cause);
    List<Entry> again = new ArrayList<>();
    for (Entry e : entries) {
      if (e.done != null) {
        e.done.completeExceptionally(failure);
      } else {
        // No caller waits for it, but the broker's memory already has the change, so write it with the next batch.
        again.add(e);
      }
    }
    lock.lock();
    try {
      for (int i = again.size() - 1; i >= 0; i--) {
        retry.addFirst(again.get(i));
      }
    } finally {
      lock.unlock();
    }
    if (!again.isEmpty()) {
      sleepQuietly(50);
    }
  }

  /** Logs a failed write at most every ten seconds, with the count of failures since the last line. */
  private void logWriteFailure(int records, IOException cause) {
    failedWrites++;
    long now = System.nanoTime();
    if (lastFailureLogNanos != 0 && now - lastFailureLogNanos < TimeUnit.SECONDS.toNanos(10)) {
      return;
    }
    lastFailureLogNanos = now;
    log.warn("journal write failed records={} segment={} failed-writes-since-last-line={} error={}", records,
        segment.file(), failedWrites, cause.toString());
    failedWrites = 0;
  }

  private void maybeCheckpoint() throws IOException {
    boolean due = bytesSinceCheckpoint >= checkpointBytes
        || (bytesSinceCheckpoint > 0 && System.nanoTime() - lastCheckpointNanos >= checkpointIntervalNanos);
    if ((dueRequests.isEmpty() && !due) || !runningCheckpoint.isDone()) {
      return;
    }
    List<CompletableFuture<Void>> requests = dueRequests;
    dueRequests = new ArrayList<>();
    startCheckpoint(requests);
  }

  private void startCheckpoint(List<CompletableFuture<Void>> requests) throws IOException {
    long next = segment.number() + 1;
    segment.close();
    segment = SegmentFile.create(dir, next);
    bytesSinceCheckpoint = 0;
    journalBytes = 0;
    lastCheckpointNanos = System.nanoTime();
    long takenAt = System.currentTimeMillis();
    StoreImage snapshot = image.snapshot();
    runningCheckpoint = checkpoints.write(snapshot, next, takenAt).whenComplete((v, error) -> {
      if (error != null) {
        log.warn("checkpoint failed; the journal keeps every change and the next checkpoint tries again error={}",
            error.toString());
        // The segments it would have replaced stay, since CURRENT still names the older checkpoint.
      }
      for (CompletableFuture<Void> requested : requests) {
        if (error == null) {
          requested.complete(null);
        } else {
          requested.completeExceptionally(error);
        }
      }
    });
  }

  /** Stops taking changes, writes what is queued and waits for a running checkpoint. */
  @Override
  public void close() {
    lock.lock();
    try {
      closing = true;
      queued.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void flushOnClose() throws IOException {
    if (!deferred.isEmpty()) {
      List<Entry> last = deferred;
      deferred = new ArrayList<>();
      commit(last);
    }
    runningCheckpoint.exceptionally(e -> null).join();
    lock.lock();
    try {
      if (checkpointRequest != null) {
        dueRequests.add(checkpointRequest);
        checkpointRequest = null;
      }
    } finally {
      lock.unlock();
    }
    if (!dueRequests.isEmpty()) {
      // A checkpoint asked for at close, as the store's own close does, runs before the segment closes.
      maybeCheckpoint();
      runningCheckpoint.exceptionally(e -> null).join();
    }
    segment.close();
  }

  private void failQueued(Throwable cause) {
    lock.lock();
    try {
      closing = true;
      StoreWriteException failure = new StoreWriteException("the journal writer stopped: " + cause, cause);
      for (Entry e : queue) {
        if (e.done != null) {
          e.done.completeExceptionally(failure);
        }
      }
      queue.clear();
      for (Entry e : deferred) {
        if (e.done != null) {
          e.done.completeExceptionally(failure);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
