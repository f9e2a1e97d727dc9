package io.ferrymq.dedup.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mapdb.Atomic;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.HTreeMap;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link IdStore} that keeps ids across a restart: lookups go to an in-memory {@link ShardedIdTable}, and
 * every newly recorded id is also written to a MapDB file, which is read back into the table on start.
 *
 * <p>Durability: a background thread writes the pending ids and commits every commit interval, so a
 * crash loses at most the ids of the last interval. Such a loss can let a duplicate through after a
 * crash, never drop a message. Committing before the message is routed would turn a crash between
 * commit and routing into a lost message, because the publisher's resend would then be dropped.
 *
 * <p>Files: {@code ids-<start epoch millis>.db}, each with one map from fingerprint to the epoch
 * millis it was recorded at. MapDB 3.1.0 with transactions never returns the space of removed
 * entries, so instead of removing expired ids the store starts a new file after each longest window
 * and deletes a file once every id in it has expired. A file that fails to open or read is renamed to
 * {@code <name>.damaged} and skipped, so a broken file costs dedup state, not the broker's start.
 *
 * <p>Threading: {@link #recordIfAbsent} runs on event loops and only appends to a bounded buffer; the
 * writer thread owns the open {@link DB}.
 */
public final class MapDbIdStore implements IdStore {

  private static final Logger log = LoggerFactory.getLogger(MapDbIdStore.class);
  /** Version of the file layout, stored in each file; a file with another version is rejected. */
  static final int FORMAT_VERSION = 1;
  private static final Pattern FILE_NAME = Pattern.compile("ids-(\\d+)\\.db");
  private static final int MAX_PENDING = 262_144;

  private final ShardedIdTable table;
  private final Path dir;
  private final long maxWindowMillis;
  private final ScheduledExecutorService writer;
  private final Object pendingLock = new Object();
  private long[] pendingFingerprints = new long[1024];
  private long[] pendingTimes = new long[1024];
  private int pendingCount;
  private long unwritten;
  private DB db;
  private HTreeMap<Long, Long> ids;
  private long fileStartMillis;
  private boolean closed;

  private MapDbIdStore(ShardedIdTable table, Path dir, long maxWindowMillis) {
    this.table = table;
    this.dir = dir;
    this.maxWindowMillis = maxWindowMillis;
    this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ferrymq-dedup-writer");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Opens the store in {@code dir}, loads the ids that are still inside the longest window into
   * {@code table}, and starts committing every {@code commitIntervalMillis}. Blocks while loading.
   *
   * @throws StoreFormatException when a file has an unknown format version
   * @throws UncheckedIOException when {@code dir} cannot be created or listed
   */
  public static MapDbIdStore open(ShardedIdTable table, Path dir, long maxWindowMillis, long commitIntervalMillis,
                                  long nowMillis) {
    MapDbIdStore store = new MapDbIdStore(table, dir, maxWindowMillis);
    store.load(nowMillis);
    store.writer.scheduleWithFixedDelay(store::flushSafely, commitIntervalMillis, commitIntervalMillis,
        TimeUnit.MILLISECONDS);
    return store;
  }

  @Override
  public boolean recordIfAbsent(long fingerprint, long windowMillis, long nowMillis) {
    if (!table.recordIfAbsent(fingerprint, windowMillis, nowMillis)) {
      return false;
    }
    synchronized (pendingLock) {
      if (pendingCount == MAX_PENDING) {
        unwritten++;
        return true;
      }
      if (pendingCount == pendingFingerprints.length) {
        pendingFingerprints = java.util.Arrays.copyOf(pendingFingerprints, pendingCount * 2);
        pendingTimes = java.util.Arrays.copyOf(pendingTimes, pendingCount * 2);
      }
      pendingFingerprints[pendingCount] = fingerprint;
      pendingTimes[pendingCount] = nowMillis;
      pendingCount++;
    }
    return true;
  }

  @Override
  public int size() {
    return table.size();
  }

  @Override
  public long evictions() {
    return table.evictions();
  }

  /** Ids recorded in memory but not written to disk because the write buffer was full. */
  public long unwritten() {
    synchronized (pendingLock) {
      return unwritten;
    }
  }

  /** Writes the pending ids, commits and closes the file; waits for a running commit to finish. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      if (!writer.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("dedup store writer did not stop within 30 s dir={}", dir);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      flush(System.currentTimeMillis());
      db.close();
    }
  }

  private void flushSafely() {
    try {
      synchronized (this) {
        if (!closed) {
          flush(System.currentTimeMillis());
        }
      }
    } catch (RuntimeException e) {
      // Keep the schedule alive: the ids stay in memory, and the next interval tries again.
      log.warn("dedup store commit failed dir={} error={}", dir, e.toString());
    }
  }

  private void flush(long nowMillis) {
    long[] fingerprints;
    long[] times;
    int count;
    long lost;
    synchronized (pendingLock) {
      fingerprints = pendingFingerprints;
      times = pendingTimes;
      count = pendingCount;
      lost = unwritten;
      pendingFingerprints = new long[Math.max(1024, Math.min(count, MAX_PENDING))];
      pendingTimes = new long[pendingFingerprints.length];
      pendingCount = 0;
    }
    if (lost > 0 && count == MAX_PENDING) {
      log.warn("dedup store write buffer full: {} ids in total kept only in memory dir={}", lost, dir);
    }
    if (nowMillis - fileStartMillis >= maxWindowMillis) {
      rotate(nowMillis);
    }
    for (int i = 0; i < count; i++) {
      ids.put(fingerprints[i], times[i]);
    }
    if (count > 0) {
      db.commit();
      log.debug("dedup store committed ids={} dir={}", count, dir);
    }
  }

  /** Starts a new file and deletes the files whose ids have all expired. */
  private void rotate(long nowMillis) {
    db.close();
    openNew(nowMillis);
    deleteExpired(listFiles(), nowMillis);
  }

  private void load(long nowMillis) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the dedup store folder " + dir, e);
    }
    List<StoreFile> files = deleteExpired(listFiles(), nowMillis);
    int loaded = 0;
    for (StoreFile file : files) {
      loaded += loadFile(file, nowMillis);
    }
    StoreFile newest = files.isEmpty() ? null : files.get(files.size() - 1);
    if (newest != null && nowMillis - newest.startMillis < maxWindowMillis && Files.exists(newest.path)) {
      db = openDb(newest.path);
      ids = idsMap(db);
      fileStartMillis = newest.startMillis;
    } else {
      openNew(nowMillis);
    }
    log.info("dedup store opened dir={} files={} ids loaded={}", dir, files.size(), loaded);
  }

  private int loadFile(StoreFile file, long nowMillis) {
    long oldest = nowMillis - maxWindowMillis;
    int loaded = 0;
    try (DB fileDb = openDb(file.path)) {
      for (Map.Entry<Long, Long> entry : idsMap(fileDb).getEntries()) {
        if (entry.getValue() > oldest) {
          table.load(entry.getKey(), entry.getValue(), nowMillis);
          loaded++;
        }
      }
    } catch (StoreFormatException e) {
      throw e;
    } catch (RuntimeException e) {
      setAside(file.path, e);
    }
    return loaded;
  }

  private void openNew(long nowMillis) {
    Path path = dir.resolve("ids-" + nowMillis + ".db");
    db = openDb(path);
    ids = idsMap(db);
    fileStartMillis = nowMillis;
  }

  private static DB openDb(Path path) {
    DB opened = DBMaker.fileDB(path.toFile()).fileChannelEnable().transactionEnable().make();
    Atomic.Integer version = opened.atomicInteger("format-version").createOrOpen();
    if (version.get() == 0) {
      version.set(FORMAT_VERSION);
      opened.commit();
    } else if (version.get() != FORMAT_VERSION) {
      int found = version.get();
      opened.close();
      throw new StoreFormatException("dedup store file " + path + " has format version " + found
          + ", but this broker reads version " + FORMAT_VERSION + "; move the file away to start without it");
    }
    return opened;
  }

  private static HTreeMap<Long, Long> idsMap(DB db) {
    return db.hashMap("ids", Serializer.LONG, Serializer.LONG).createOrOpen();
  }

  private void setAside(Path path, RuntimeException cause) {
    Path aside = path.resolveSibling(path.getFileName() + ".damaged");
    log.warn("dedup store file cannot be read, moved to {}: ids recorded in it are forgotten error={}", aside,
        cause.toString());
    try {
      Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      log.warn("cannot move damaged dedup store file {} error={}", path, e.toString());
    }
  }

  /**
   * Deletes each file whose ids are all older than the longest window: every id in a file was recorded
   * before the next file started. Returns the files that remain, oldest first.
   */
  private List<StoreFile> deleteExpired(List<StoreFile> files, long nowMillis) {
    List<StoreFile> kept = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      boolean expired = i + 1 < files.size() && files.get(i + 1).startMillis + maxWindowMillis <= nowMillis;
      if (expired) {
        deleteFile(files.get(i).path);
      } else {
        kept.add(files.get(i));
      }
    }
    return kept;
  }

  private void deleteFile(Path path) {
    try (Stream<Path> siblings = Files.list(dir)) {
      String prefix = path.getFileName().toString();
      for (Path p : siblings.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
        Files.deleteIfExists(p);
      }
      log.debug("dedup store file deleted after its ids expired file={}", path);
    } catch (IOException e) {
      log.warn("cannot delete expired dedup store file {} error={}", path, e.toString());
    }
  }

  private List<StoreFile> listFiles() {
    try (Stream<Path> entries = Files.list(dir)) {
      List<StoreFile> files = new ArrayList<>();
      for (Path p : entries.toList()) {
        Matcher m = FILE_NAME.matcher(p.getFileName().toString());
        if (m.matches()) {
          files.add(new StoreFile(p, Long.parseLong(m.group(1))));
        }
      }
      files.sort((a, b) -> Long.compare(a.startMillis, b.startMillis));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the dedup store folder " + dir, e);
    }
  }

  private record StoreFile(Path path, long startMillis) {
  }
}
