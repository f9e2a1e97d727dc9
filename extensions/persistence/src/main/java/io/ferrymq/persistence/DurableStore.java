package io.ferrymq.persistence;

import io.ferrymq.persistence.checkpoint.Checkpoints;
import io.ferrymq.persistence.journal.JournalWriter;
import io.ferrymq.persistence.state.StoreImage;
import io.ferrymq.spi.Message;
import io.ferrymq.spi.storage.StoredSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open store folder: its lock, the journal writer and the checkpoints. Both SPI stores write
 * through the one journal, so a retained message and the queued copies of the same publish share a
 * commit.
 */
public final class DurableStore implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DurableStore.class);

  private final Path dir;
  private final StoreLock lock;
  private final Checkpoints checkpoints;
  private final JournalWriter journal;
  private List<StoredSession> recoveredSessions;
  private List<Message> recoveredRetained;

  private DurableStore(Path dir, StoreLock lock, Checkpoints checkpoints, JournalWriter journal,
                       List<StoredSession> sessions, List<Message> retained) {
    this.dir = dir;
    this.lock = lock;
    this.checkpoints = checkpoints;
    this.journal = journal;
    this.recoveredSessions = sessions;
    this.recoveredRetained = retained;
  }

  /**
   * Locks {@code dir}, recovers its state and opens a new journal segment.
   *
   * @throws StoreDamagedException when a file cannot be read and the settings do not allow moving it aside
   * @throws IllegalStateException when another broker holds the folder
   */
  public static DurableStore open(Path dir, PersistenceConfig config) throws IOException {
    long begin = System.nanoTime();
    Files.createDirectories(dir);
    StoreLock lock = StoreLock.acquire(dir);
    try {
      Recovery.Result r = new Recovery(dir, config.moveDamagedAside()).run();
      StoreImage image = r.image();
      List<StoredSession> sessions = image.toStoredSessions();
      List<Message> retained = List.copyOf(image.retained().values());
      Checkpoints checkpoints = new Checkpoints(dir);
      JournalWriter journal = new JournalWriter(dir, r.nextSegment(), image, config.fsync(),
          config.commitIntervalMillis(), config.checkpointBytes(), config.checkpointIntervalMillis(), r.replayedBytes(),
          checkpoints::write);
      log.info("persistence store recovered dir={} sessions={} queued-or-inflight={} retained={} checkpoint={} "
              + "journal-records={} journal-bytes={} expired-dropped={} moved-aside={} in {} ms", dir, sessions.size(),
          image.deliveryCount(), retained.size(), r.checkpointFrom() < 0 ? "none" : r.checkpointFrom(),
          r.journalRecords(), r.replayedBytes(), r.purgedExpired(), r.movedAside().size(),
          (System.nanoTime() - begin) / 1_000_000);
      return new DurableStore(dir, lock, checkpoints, journal, sessions, retained);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  public Path dir() {
    return dir;
  }

  public JournalWriter journal() {
    return journal;
  }

  /** Returns the recovered sessions once; later calls return an empty list. */
  synchronized List<StoredSession> takeRecoveredSessions() {
    List<StoredSession> out = recoveredSessions;
    recoveredSessions = List.of();
    return out;
  }

  /** Returns the recovered retained messages once; later calls return an empty list. */
  synchronized List<Message> takeRecoveredRetained() {
    List<Message> out = recoveredRetained;
    recoveredRetained = List.of();
    return out;
  }

  /** Writes a checkpoint of everything submitted so far and deletes what it replaces. */
  public CompletableFuture<Void> checkpoint() {
    return journal.checkpoint();
  }

  /** Writes what is queued, checkpoints it so the next start is quick, and releases the folder. */
  @Override
  public void close() throws IOException {
    try {
      journal.checkpoint().get(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("final checkpoint failed; the journal still holds every change error={}", e.toString());
    }
    journal.close();
    checkpoints.close();
    lock.close();
  }
}
