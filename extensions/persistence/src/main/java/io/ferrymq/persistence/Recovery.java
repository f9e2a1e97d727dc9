package io.ferrymq.persistence;

import io.ferrymq.persistence.checkpoint.Checkpoints;
import io.ferrymq.persistence.journal.CorruptRecordException;
import io.ferrymq.persistence.journal.JournalFiles;
import io.ferrymq.persistence.state.StoreImage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the durable state at start-up: the current checkpoint, then every journal segment after
 * it in order. A crash during a write can leave a record cut short at the end of the last segment.
 * That record was never acknowledged, so it is dropped. Anything else that does not read is damage.
 *
 * <p>With {@code salvage} set, damaged files are copied into a {@code damaged-<time>} folder and
 * recovery goes on with what can still be read; without it, the first damage stops start-up.
 */
final class Recovery {

  private static final Logger log = LoggerFactory.getLogger(Recovery.class);

  /** The recovered state and counts for the start-up log line. */
  record Result(StoreImage image, long nextSegment, long replayedBytes, long checkpointFrom, long journalRecords,
                long purgedExpired, List<Path> movedAside) {
  }

  private final Path dir;
  private final boolean salvage;
  /** Session Expiry Interval given to a session rebuilt from its messages alone, in seconds. */
  static final long ADOPTED_EXPIRY_SECONDS = 86_400;

  private final List<Path> movedAside = new ArrayList<>();
  private boolean checkpointLost;
  private Path damagedDir;

  Recovery(Path dir, boolean salvage) {
    this.dir = dir;
    this.salvage = salvage;
  }

  Result run() throws IOException {
    StoreImage image = new StoreImage();
    long from = readCheckpoint(image);
    if (checkpointLost) {
      // The session records were in the lost checkpoint; keep the messages the journal still has.
      image.adoptOrphans(ADOPTED_EXPIRY_SECONDS);
    }
    List<Long> segments = new ArrayList<>();
    for (long s : JournalFiles.list(dir)) {
      if (s >= Math.max(from, 0)) {
        segments.add(s);
      }
    }
    checkContiguous(segments, from);
    long replayed = 0;
    long records = 0;
    for (int i = 0; i < segments.size(); i++) {
      JournalFiles.ScanResult scan = replay(segments.get(i), i == segments.size() - 1, image);
      replayed += scan.validBytes();
      records += scan.records();
    }
    if (checkpointLost) {
      image.adoptOrphans(0);
      log.warn("sessions rebuilt from the journal alone get a session expiry of {} s", ADOPTED_EXPIRY_SECONDS);
    }
    long last = segments.isEmpty() ? Math.max(from - 1, 0) : segments.get(segments.size() - 1);
    long purged = image.purgeExpired(System.currentTimeMillis());
    removeLeftovers(from);
    return new Result(image, last + 1, replayed, from, records, purged, List.copyOf(movedAside));
  }

  /** Loads the checkpoint that {@code CURRENT} names; returns its first uncovered segment, or -1. */
  private long readCheckpoint(StoreImage image) throws IOException {
    long from;
    try {
      from = Checkpoints.readCurrent(dir);
    } catch (StoreDamagedException e) {
      if (!salvage) {
        throw e;
      }
      moveAside(e.file(), e.getMessage());
      checkpointLost = true;
      return -1;
    }
    if (from < 0) {
      return -1;
    }
    Path file = Checkpoints.file(dir, from);
    try {
      Checkpoints.read(file, image, false);
    } catch (StoreDamagedException e) {
      if (!salvage) {
        throw e;
      }
      copyAside(file, e.getMessage());
      checkpointLost = true;
      StoreImage partial = new StoreImage();
      try {
        long skipped = Checkpoints.read(file, partial, true);
        log.warn("checkpoint read in part file={} damaged-entries-skipped={}", file, skipped);
      } catch (StoreDamagedException unreadable) {
        log.warn("checkpoint unreadable, starting from the journal alone file={} reason={}", file,
            unreadable.getMessage());
        partial = new StoreImage();
      }
      copyInto(partial, image);
    }
    return from;
  }

  private static void copyInto(StoreImage partial, StoreImage image) {
    image.retained().putAll(partial.retained());
    partial.sessions().forEach((id, s) -> {
      image.saveSession(id, s.expirySeconds());
      s.subscriptions().values().forEach(sub -> image.saveSubscription(id, sub));
      s.deliveries().values().forEach(d -> image.enqueue(id, d));
      s.inboundQos2().forEach(p -> image.addInboundQos2(id, p));
      image.markOffline(id, s.offlineSinceMillis());
      image.saveWill(id, s.will());
    });
  }

  private void checkContiguous(List<Long> segments, long from) throws IOException {
    long expected = from >= 0 ? from : segments.isEmpty() ? 0 : segments.get(0);
    for (long s : segments) {
      if (s != expected) {
        StoreDamagedException missing = new StoreDamagedException(JournalFiles.segment(dir, expected),
            "the journal segment is missing, so the changes it held are lost", false);
        if (!salvage) {
          throw missing;
        }
        log.warn("journal segment missing, continuing with the next one: {}", missing.getMessage());
        expected = s;
      }
      expected++;
    }
  }

  private JournalFiles.ScanResult replay(long segment, boolean last, StoreImage image) throws IOException {
    Path file = JournalFiles.segment(dir, segment);
    JournalFiles.ScanResult scan;
    try {
      scan = JournalFiles.scan(file, change -> change.applyTo(image));
    } catch (CorruptRecordException e) {
      StoreDamagedException damaged = new StoreDamagedException(file, e.getMessage(), e.unknownVersion());
      if (!salvage) {
        throw damaged;
      }
      moveAside(file, damaged.getMessage());
      return new JournalFiles.ScanResult(0, 0, 0, e.getMessage(), false);
    }
    if (!scan.hasInvalidTail()) {
      return scan;
    }
    if (!last || !scan.tornTail()) {
      String where = last ? ", and it is not an interrupted write at the end" : ", and later segments follow";
      StoreDamagedException damaged = new StoreDamagedException(file, scan.damage() + where, false);
      if (!salvage) {
        throw damaged;
      }
      copyAside(file, damaged.getMessage());
    } else {
      log.info("journal tail cut short by a crash dropped file={} bytes={} reason={}", file.getFileName(),
          scan.fileBytes() - scan.validBytes(), scan.damage());
    }
    truncate(file, scan.validBytes());
    return scan;
  }

  private static void truncate(Path file, long length) throws IOException {
    if (length == 0) {
      Files.delete(file);
      return;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(length);
      channel.force(true);
    }
  }

  /** Deletes what a crash left behind: checkpoints never made current, segments a checkpoint covers. */
  private void removeLeftovers(long from) throws IOException {
    new Checkpoints(dir).deleteOlderThan(Math.max(from, 0));
  }

  private void moveAside(Path file, String reason) throws IOException {
    Files.move(file, damagedDir().resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    movedAside.add(file);
    log.warn("damaged file moved aside file={} to={} reason={}", file, damagedDir, reason);
  }

  private void copyAside(Path file, String reason) throws IOException {
    Files.copy(file, damagedDir().resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    movedAside.add(file);
    log.warn("damaged file copied aside, its readable part is kept file={} to={} reason={}", file, damagedDir, reason);
  }

  private Path damagedDir() throws IOException {
    if (damagedDir == null) {
      damagedDir = dir.resolve("damaged-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
      Files.createDirectories(damagedDir);
    }
    return damagedDir;
  }
}
